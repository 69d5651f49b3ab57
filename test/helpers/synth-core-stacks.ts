import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { S3_SINK_PLUGIN, SFTP_SOURCE_PLUGIN } from '../../connectors/connector-config';
import { loadStageConfig, type StageConfig } from '../../lib/config';
import { applyNagPacks } from '../../lib/shared/nag';
import { stageResourcePrefix } from '../../lib/shared/pipeline-layout';
import { buildCorePipelineStacks, type CorePipelineStacks } from '../../lib/pipeline-app';
import { cdkJsonContext, FIXTURE_PLUGIN_DIR } from './synth-pipeline';

/**
 * A folder with tiny stand-in zips under the names the plugin
 * builds have (`<plugin name>-<version>.zip`, from connectors/connector-config.ts),
 * so the streaming stack finds them the way it finds real builds.
 */
export function corePluginFixtureDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-dist-'));
  const fixtures = fs.readdirSync(FIXTURE_PLUGIN_DIR).filter((f) => f.endsWith('.zip'));
  for (const plugin of [SFTP_SOURCE_PLUGIN, S3_SINK_PLUGIN]) {
    const fixture = fixtures.find((f) => f.startsWith(plugin.name.split('-')[0] as string)) ?? fixtures[0];
    if (!fixture) throw new Error(`no stand-in plugin zip in ${FIXTURE_PLUGIN_DIR}`);
    fs.copyFileSync(path.join(FIXTURE_PLUGIN_DIR, fixture), path.join(dir, plugin.zipFileName));
  }
  return dir;
}

/** The foundation, network, storage and streaming stacks of one stage, built on their own. */
export interface CoreStacks extends CorePipelineStacks {
  readonly app: App;
  readonly config: StageConfig;
}

export interface CoreSynthOptions {
  /** Extra cdk.json context, e.g. { allowDestroy: 'true' }. */
  readonly context?: Record<string, unknown>;
  /** Stage overrides merged over cdk.json's `stages.<stage>` (section by section). */
  readonly stageOverrides?: Record<string, Record<string, unknown>>;
  /** Folder of the plugin zips. @default stand-in zips named like the real builds (corePluginFixtureDir) */
  readonly pluginDistDir?: string;
}

/**
 * Builds the four core stacks in a fresh App, the way buildPipeline wires them,
 * without the other stacks: their tests do not wait for the rest of the app.
 */
export function buildCoreStacks(stage: string, options: CoreSynthOptions = {}): CoreStacks {
  const base = cdkJsonContext();
  const stages = structuredClone(base.stages) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [section, values] of Object.entries(options.stageOverrides ?? {})) {
    stages[stage] = { ...stages[stage], [section]: { ...(stages[stage]?.[section] ?? {}), ...values } };
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `core-${stage}-`));
  const app = new App({ outdir, context: { ...base, stages, ...options.context, stage } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const stacks = buildCorePipelineStacks(app, config, {
    env: { account: '111111111111', region: 'eu-central-1' },
    pluginDistDir: options.pluginDistDir ?? corePluginFixtureDir(),
  });
  return { app, config, ...stacks };
}

export interface CoreSynthResult extends CoreStacks {
  readonly outdir: string;
  /** cdk-nag findings, as `<rule> at <construct path>`. */
  readonly nagFindings: string[];
  template(part: 'foundation' | 'network' | 'storage' | 'streaming'): Template;
}

/** Builds the core stacks, runs the nag packs and synthesizes them. */
export function synthCoreStacks(stage: string, options: CoreSynthOptions = {}): CoreSynthResult {
  const stacks = buildCoreStacks(stage, options);
  applyNagPacks(stacks.app);
  try {
    stacks.app.synth();
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('Validation failed')) throw error;
  }
  const outdir = stacks.app.outdir;
  return {
    ...stacks,
    outdir,
    nagFindings: readNagFindings(outdir),
    template: (part) =>
      Template.fromJSON(
        JSON.parse(
          fs.readFileSync(
            path.join(outdir, `${stageResourcePrefix(stacks.config.stage)}-${part}.template.json`),
            'utf8',
          ),
        ) as Record<string, unknown>,
      ),
  };
}

interface ValidationReport {
  pluginReports: {
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

function readNagFindings(outdir: string): string[] {
  const reportFile = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs.map((c) => `${violation.ruleName} at ${c.constructPath}`),
    ),
  );
}
