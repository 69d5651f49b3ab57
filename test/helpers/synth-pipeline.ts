import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stageResourcePrefix } from '../../lib/shared/pipeline-layout';
import { loadStageConfig, type StageConfig } from '../../lib/config';
import { applyNagPacks } from '../../lib/shared/nag';
import { buildPipeline } from '../../lib/pipeline-app';
import { REPO_ROOT } from '../../lib/shared/repo-root';
import { withEmrTlsFixture } from '../fixtures/emr-tls-fixture';

/** The stacks every stage builds, each named `<stage>-bankpipe-<part>`. */
export const PIPELINE_PARTS = [
  'foundation',
  'network',
  'storage',
  'streaming',
  'processing',
  'warehouse',
  'analytics',
  'orchestration',
  'monitoring',
];

/** Stacks a stage builds only when its configuration turns them on (lib/pipeline-app.ts). */
const OPTIONAL_PARTS: Readonly<Record<string, (config: StageConfig) => boolean>> = {
  alerts: (config) => config.liveAlerts.enabled,
};

/** Synthesized test assemblies, one folder per stage (ignored by git). */
export const TEST_OUT_ROOT = path.join(REPO_ROOT, 'cdk.out.test');
/** Tiny stand-in plugin zips so CDK tests do not need the Maven build. */
export const FIXTURE_PLUGIN_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'plugin-dist');
export const TEST_STAGES = ['dev', 'prod'] as const;
export type TestStage = (typeof TEST_STAGES)[number];

/**
 * The cdk.json context, as `cdk synth` would see it, plus the test EMR
 * certificate key in the stages that refuse to synth without one
 * (test/fixtures/emr-tls-fixture.ts).
 */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const stages = cdkJson.context.stages as Record<string, unknown>;
  return { ...cdkJson.context, stages: withEmrTlsFixture(stages) };
}

/**
 * Synthesizes every stack of a stage with the nag packs on, exactly as bin/app.ts
 * does, into cdk.out.test/<stage>. Nag findings make synth throw "Validation
 * failed"; that is swallowed here because the nag test reads the report.
 */
export function synthStage(stage: TestStage, extraContext: Record<string, unknown> = {}): string {
  const outdir = path.join(TEST_OUT_ROOT, stage);
  fs.rmSync(outdir, { recursive: true, force: true });
  const context = { ...cdkJsonContext(), ...extraContext, stage };
  const app = new App({ outdir, context });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  buildPipeline(app, config, {
    env: { account: '111111111111', region: 'eu-central-1' },
    pluginDistDir: FIXTURE_PLUGIN_DIR,
  });
  applyNagPacks(app);
  try {
    app.synth();
  } catch (error) {
    // Policy-validation failures (nag findings) are read from the report by the nag test;
    // anything else (a construct error, bad config) must fail the run here.
    const isValidationFailure =
      error instanceof Error &&
      (error.name === 'ValidationFailed' || error.message.includes('Validation failed'));
    if (!isValidationFailure) throw error;
  }
  return outdir;
}

/** The parts a stage's configuration builds: PIPELINE_PARTS plus the optional ones it turns on. */
export function stageParts(stage: TestStage): string[] {
  const context: Record<string, unknown> = { ...cdkJsonContext(), stage };
  const config = loadStageConfig((key) => context[key]);
  const optional = Object.entries(OPTIONAL_PARTS)
    .filter(([, enabled]) => enabled(config))
    .map(([part]) => part);
  return [...PIPELINE_PARTS, ...optional];
}

/** Names of the stacks synthesized for a stage. */
export function stackNames(stage: TestStage): string[] {
  const outdir = path.join(TEST_OUT_ROOT, stage);
  return fs
    .readdirSync(outdir)
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => f.replace(/\.template\.json$/, ''))
    .sort();
}

/** The synthesized template of one stack, e.g. loadTemplate('dev', 'storage'). */
export function loadTemplate(stage: TestStage, part: string): Template {
  const file = path.join(TEST_OUT_ROOT, stage, `${stageResourcePrefix(stage)}-${part}.template.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist: run the CDK tests through vitest (global setup synthesizes it)`);
  }
  return Template.fromJSON(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>);
}

/** The raw template JSON (for snapshot normalisation). */
export function loadTemplateJson(stage: TestStage, part: string): Record<string, unknown> {
  const file = path.join(TEST_OUT_ROOT, stage, `${stageResourcePrefix(stage)}-${part}.template.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}
