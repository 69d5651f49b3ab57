import type { StageConfig } from '../config';
import { PROJECT_SLUG, stageResourcePrefix } from '../shared/pipeline-layout';

/**
 * Name of the stage's Glue database (also the Athena database): lower case and
 * underscores, which both Glue and Athena accept without quoting. Derived from
 * the stage alone so the warehouse's Spectrum role and the analytics stack
 * agree on it without a cross-stack reference.
 */
export function glueDatabaseName(config: Pick<StageConfig, 'stage'>): string {
  const name = `${config.stage}_${PROJECT_SLUG}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (name.length > 255)
    throw new Error(`Glue database name ${name} is longer than 255 characters; use a shorter stage name`);
  return name;
}

/** Physical-name prefix of the stage's named resources (crawlers, job, workgroups): `<stage>-<slug>`. */
export function resourcePrefix(config: Pick<StageConfig, 'stage'>): string {
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(config.stage)) {
    throw new Error(
      `stage '${config.stage}' cannot name AWS resources: use lower-case letters, digits and dashes, starting with a letter (at most 31)`,
    );
  }
  return stageResourcePrefix(config.stage);
}
