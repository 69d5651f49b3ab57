import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadStageConfig } from '../config';
import { STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION } from '../config/emr-in-transit-encryption';
import { buildPipeline } from '../pipeline-app';
import { REPO_ROOT } from '../shared/repo-root';
import type { CostVariant, StageSettingsJson } from './cost-variants';
import { readStageTemplates, type StageTemplates } from './template-reader';

/** Stands in for a stage's EMR certificate zip when cdk.json leaves it to the deployer: the certificates change nothing that bills. */
const ESTIMATE_ONLY_TLS_ZIP_KEY = 'emr-tls/cost-estimate-only.zip';

/** cdk.json's context, as `cdk synth` reads it. */
export function cdkJsonContext(): Record<string, unknown> {
  return (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    }
  ).context;
}

/** The stage names cdk.json defines. */
export function stageNames(context: Record<string, unknown> = cdkJsonContext()): string[] {
  return Object.keys(context.stages as Record<string, unknown>);
}

/**
 * Synthesizes every stack of a stage in-process (as bin/app.ts does, without
 * the nag packs) into a temporary folder and returns its templates; with a
 * variant, its settings are laid over the stage's first.
 */
export function synthesizeForEstimate(
  stage: string,
  variant?: Pick<CostVariant, 'adjust'>,
  context: Record<string, unknown> = cdkJsonContext(),
): StageTemplates {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cost-${stage}-`));
  try {
    const stages = structuredClone(context.stages) as Record<string, StageSettingsJson>;
    const configured: StageSettingsJson = stages[stage] ?? {};
    const settings = variant ? variant.adjust(configured) : configured;
    if (STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION.includes(stage)) {
      settings.processing = { emrTlsCertificatesZipKey: ESTIMATE_ONLY_TLS_ZIP_KEY, ...settings.processing };
    }
    stages[stage] = settings;
    const app = new App({ outdir, context: { ...context, stages, stage } });
    buildPipeline(
      app,
      loadStageConfig((key) => app.node.tryGetContext(key)),
    );
    app.synth();
    return readStageTemplates(outdir, stage);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
