import * as path from 'node:path';
import { S3_SINK_PLUGIN, SFTP_SOURCE_PLUGIN } from '../../../connectors/connector-config';
import { findPluginZip } from '../../streaming/connect-plugin-files';
import { findRedshiftJdbcDriver } from '../../analytics/redshift-jdbc-driver';
import { fail, pass, type CheckResult } from '../check-result';

export const BUILD_ARTIFACTS_CHECK = 'Plugin zips and JDBC driver';

export interface BuildArtifactLocations {
  /** Folder of the MSK Connect plugin zips the streaming stack uploads. */
  readonly pluginDistDir: string;
  /** Folder of the Redshift JDBC driver the Glue load job ships with. */
  readonly jdbcJarDir: string;
}

/**
 * The files `cdk synth` reads from disk, found by the same functions the stacks
 * use, so the check and the synth cannot disagree about what is missing.
 */
export function checkBuildArtifacts(locations: BuildArtifactLocations): CheckResult {
  const found: string[] = [];
  const problems: string[] = [];
  const attempt = (find: () => string) => {
    try {
      found.push(path.basename(find()));
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  };
  for (const plugin of [SFTP_SOURCE_PLUGIN, S3_SINK_PLUGIN]) {
    attempt(() => findPluginZip(locations.pluginDistDir, plugin).path);
  }
  attempt(() => findRedshiftJdbcDriver(locations.jdbcJarDir));
  if (problems.length > 0) {
    return fail(BUILD_ARTIFACTS_CHECK, problems.join('; '), 'make setup');
  }
  return pass(BUILD_ARTIFACTS_CHECK, found.join(', '));
}
