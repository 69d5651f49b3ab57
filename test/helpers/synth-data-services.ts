import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stageResourcePrefix } from '../../lib/shared/pipeline-layout';
import { loadStageConfig, type StageConfig } from '../../lib/config';
import { applyNagPacks } from '../../lib/shared/nag';
import { AnalyticsStack } from '../../lib/analytics/analytics-stack';
import { FoundationStack } from '../../lib/shared/foundation-stack';
import { NetworkStack } from '../../lib/network/network-stack';
import { ProcessingStack } from '../../lib/processing/processing-stack';
import { StorageStack } from '../../lib/storage/storage-stack';
import { WarehouseStack } from '../../lib/warehouse/warehouse-stack';
import { cdkJsonContext, TEST_OUT_ROOT, type TestStage } from './synth-pipeline';

export type DataServicePart = 'processing' | 'warehouse' | 'analytics';

/** An acknowledgement recorded by Validations.of(x).acknowledge, as the metadata holds it. */
export interface Acknowledgement {
  readonly path: string;
  readonly ruleId: string;
  readonly reason: string;
}

export interface DataServicesSynth {
  readonly config: StageConfig;
  readonly processing: ProcessingStack;
  readonly warehouse: WarehouseStack;
  readonly analytics: AnalyticsStack;
  /** cdk-nag findings on the three stacks, as `<rule> at <path>`. */
  readonly nagFindings: string[];
  readonly acknowledgements: Acknowledgement[];
  template(part: DataServicePart): Template;
}

export interface DataServicesSynthOptions {
  /** Extra context, e.g. { allowDestroy: 'true' }. */
  readonly context?: Record<string, unknown>;
  /** Overrides merged over cdk.json's stages.<stage>, section by section. */
  readonly stageOverrides?: Record<string, Record<string, unknown>>;
}

/** The validated config of a stage, with optional overrides, as `cdk synth -c stage=<stage>` would build it. */
export function stageConfig(stage: string, options: DataServicesSynthOptions = {}): StageConfig {
  const context = stageContext(stage, options);
  return loadStageConfig((key) => context[key]);
}

/**
 * Stage overrides for a two-node provisioned warehouse: the stage's interface endpoint
 * list with the provisioned API's endpoint (GetClusterCredentials) instead of Serverless's.
 */
export function provisionedWarehouseOverrides(stage: string): Record<string, Record<string, unknown>> {
  const endpoints = stageConfig(stage).network.interfaceEndpoints;
  return {
    warehouse: { kind: 'provisioned', numberOfNodes: 2 },
    ...(endpoints === undefined
      ? {}
      : {
          network: {
            interfaceEndpoints: [...endpoints.filter((e) => e !== 'redshift-serverless'), 'redshift'],
          },
        }),
  };
}

function stageContext(stage: string, options: DataServicesSynthOptions): Record<string, unknown> {
  const base = cdkJsonContext();
  const stages = structuredClone(base.stages) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [section, values] of Object.entries(options.stageOverrides ?? {})) {
    stages[stage] = { ...stages[stage], [section]: { ...(stages[stage]?.[section] ?? {}), ...values } };
  }
  return { ...base, stages, ...options.context, stage };
}

/**
 * Synthesizes the processing, warehouse and analytics stacks of a stage, with
 * the real foundation, network and storage stacks they depend on and the nag
 * packs on, in a temporary folder. For config variants the global test synth
 * does not cover (provisioned warehouse, allowDestroy) and for checks on the
 * stack objects (the contracts other stacks consume).
 */
export function synthDataServices(
  stage: TestStage,
  options: DataServicesSynthOptions = {},
): DataServicesSynth {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `data-services-${stage}-`));
  const app = new App({ outdir, context: stageContext(stage, options) });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const prefix = stageResourcePrefix(stage);
  const common = { config, env: { account: '111111111111', region: 'eu-central-1' } };
  const foundation = new FoundationStack(app, `${prefix}-foundation`, common);
  const network = new NetworkStack(app, `${prefix}-network`, { ...common, dataKey: foundation.dataKey });
  const storage = new StorageStack(app, `${prefix}-storage`, { ...common, dataKey: foundation.dataKey });
  const dataService = {
    ...common,
    dataKey: foundation.dataKey,
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    buckets: storage.buckets,
  };
  const processing = new ProcessingStack(app, `${prefix}-processing`, dataService);
  const warehouse = new WarehouseStack(app, `${prefix}-warehouse`, dataService);
  const analytics = new AnalyticsStack(app, `${prefix}-analytics`, {
    ...dataService,
    warehouse: warehouse.connection,
  });
  applyNagPacks(app);
  try {
    app.synth();
  } catch (error) {
    // Nag findings make synth throw after writing the report; the report is what the tests read.
    if (!isValidationFailure(error)) throw error;
  }
  const ours = (constructPath: string): boolean =>
    /-(processing|warehouse|analytics)(\/|$)/.test(constructPath);
  return {
    config,
    processing,
    warehouse,
    analytics,
    nagFindings: readNagFindings(outdir).filter((f) => ours(f.split(' at ')[1] ?? '')),
    acknowledgements: readAcknowledgements(outdir).filter((a) => ours(a.path)),
    template: (part) => readTemplate(outdir, `${prefix}-${part}`),
  };
}

/** cdk-nag findings of one stack in the global test synth (test/helpers/global-setup.ts). */
export function globalNagFindings(stage: TestStage, part: DataServicePart): string[] {
  const stackName = `${stageResourcePrefix(stage)}-${part}`;
  return readNagFindings(path.join(TEST_OUT_ROOT, stage)).filter((f) =>
    (f.split(' at ')[1] ?? '').startsWith(stackName),
  );
}

/** Acknowledgements recorded on one stack in the global test synth. */
export function globalAcknowledgements(stage: TestStage, part: DataServicePart): Acknowledgement[] {
  const stackName = `${stageResourcePrefix(stage)}-${part}`;
  return readAcknowledgements(path.join(TEST_OUT_ROOT, stage)).filter((a) =>
    a.path.startsWith(`/${stackName}/`),
  );
}

function isValidationFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'ValidationFailed' || error.message.includes('Validation failed'))
  );
}

function readTemplate(outdir: string, stackName: string): Template {
  return Template.fromJSON(
    JSON.parse(fs.readFileSync(path.join(outdir, `${stackName}.template.json`), 'utf8')) as Record<
      string,
      unknown
    >,
  );
}

function readNagFindings(outdir: string): string[] {
  const reportFile = path.join(outdir, 'validation-report.json');
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)),
  );
}

/** Acknowledgements recorded by Validations.of(x).acknowledge, read from an assembly's metadata files. */
export function readAcknowledgements(outdir: string): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.metadata.json'))) {
    const metadata = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')) as Record<
      string,
      { type: string; data: unknown }[]
    >;
    for (const [constructPath, entries] of Object.entries(metadata)) {
      for (const entry of entries.filter((e) => e.type === 'aws:cdk:acknowledged-rules')) {
        for (const [ruleId, reason] of Object.entries(entry.data as Record<string, string>)) {
          found.push({ path: constructPath, ruleId, reason });
        }
      }
    }
  }
  return found;
}
