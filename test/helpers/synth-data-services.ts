import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { loadStageConfig, type StageConfig } from '../../lib/config';
import { applyNagPacks } from '../../lib/nag';
import { AnalyticsStack } from '../../lib/stacks/analytics-stack';
import type { PipelineSecurityGroups } from '../../lib/stacks/network-stack';
import { ProcessingStack } from '../../lib/stacks/processing-stack';
import type { DataLakeBuckets } from '../../lib/stacks/storage-stack';
import { WarehouseStack } from '../../lib/stacks/warehouse-stack';
import { cdkJsonContext } from './synth-pipeline';

/**
 * Stand-ins for the foundation, network and storage stacks: the same shapes
 * (a key, a VPC with private subnets, the security groups, the six buckets)
 * built minimally, in their own stacks so cross-stack references behave as in
 * the real app. They let the processing, warehouse and analytics stacks be
 * synthesized and checked on their own.
 */
class CoreStandIn extends Stack {
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly securityGroups: PipelineSecurityGroups;
  readonly buckets: DataLakeBuckets;

  constructor(scope: Construct, id: string, props: StackProps & { config: StageConfig }) {
    super(scope, id, props);
    this.dataKey = new kms.Key(this, 'DataKey', { enableKeyRotation: true });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.config.network.maxAzs,
      natGateways: props.config.network.natGateways,
      // The network stack's subnet groups: NAT-only public, services, isolated warehouse.
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
        {
          name: 'services',
          subnetType:
            props.config.network.natGateways > 0
              ? ec2.SubnetType.PRIVATE_WITH_EGRESS
              : ec2.SubnetType.PRIVATE_ISOLATED,
        },
        { name: 'warehouse', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    const sg = (name: string): ec2.ISecurityGroup =>
      new ec2.SecurityGroup(this, name, { vpc: this.vpc, description: name });
    this.securityGroups = {
      msk: sg('Msk'),
      mskConnect: sg('MskConnect'),
      emrPrimary: sg('EmrPrimary'),
      emrCore: sg('EmrCore'),
      emrServiceAccess: sg('EmrServiceAccess'),
      glue: sg('Glue'),
      redshift: sg('Redshift'),
      lambda: sg('Lambda'),
      sftp: sg('Sftp'),
    };
    const bucket = (name: string): s3.IBucket =>
      new s3.Bucket(this, name, {
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: this.dataKey,
        enforceSSL: true,
      });
    this.buckets = {
      raw: bucket('Raw'),
      processed: bucket('Processed'),
      quarantine: bucket('Quarantine'),
      athenaResults: bucket('AthenaResults'),
      artifacts: bucket('Artifacts'),
      accessLogs: bucket('AccessLogs'),
    };
  }
}

export interface DataServicesSynth {
  readonly config: StageConfig;
  readonly processing: ProcessingStack;
  readonly warehouse: WarehouseStack;
  readonly analytics: AnalyticsStack;
  /** Findings of the nag packs on the three stacks under test, as `<rule> at <path>`. */
  readonly nagFindings: string[];
  /** Acknowledgements recorded on the three stacks: construct path, rule id and reason. */
  readonly acknowledgements: { path: string; ruleId: string; reason: string }[];
  template(part: 'processing' | 'warehouse' | 'analytics'): Template;
}

export interface DataServicesSynthOptions {
  /** Extra context, e.g. { allowDestroy: 'true' }. */
  readonly context?: Record<string, unknown>;
  /** Overrides merged over cdk.json's stages.<stage>, section by section. */
  readonly stageOverrides?: Record<string, Record<string, unknown>>;
}

/**
 * Synthesizes the processing, warehouse and analytics stacks of a stage (with
 * the nag packs on) against the stand-in core stacks, in a temporary folder.
 */
export function synthDataServices(
  stage: 'dev' | 'prod',
  options: DataServicesSynthOptions = {},
): DataServicesSynth {
  const base = cdkJsonContext();
  const stages = structuredClone(base.stages) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [section, values] of Object.entries(options.stageOverrides ?? {})) {
    stages[stage] = { ...stages[stage], [section]: { ...(stages[stage]?.[section] ?? {}), ...values } };
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `data-services-${stage}-`));
  const app = new App({ outdir, context: { ...base, stages, ...options.context, stage } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const env = { account: '111111111111', region: 'eu-central-1' };
  const prefix = `${stage}-bank-pipeline`;
  const core = new CoreStandIn(app, `${prefix}-core`, { env, config });
  const common = {
    config,
    env,
    dataKey: core.dataKey,
    vpc: core.vpc,
    securityGroups: core.securityGroups,
    buckets: core.buckets,
  };
  const processing = new ProcessingStack(app, `${prefix}-processing`, common);
  const warehouse = new WarehouseStack(app, `${prefix}-warehouse`, common);
  const analytics = new AnalyticsStack(app, `${prefix}-analytics`, {
    ...common,
    warehouse: warehouse.connection,
  });
  applyNagPacks(app);
  try {
    app.synth();
  } catch (error) {
    // Nag findings make synth throw after writing the report; the report is what the tests read.
    if (!isValidationFailure(error)) throw error;
  }
  const ours = (constructPath: string): boolean => !constructPath.startsWith(`${prefix}-core`);
  return {
    config,
    processing,
    warehouse,
    analytics,
    nagFindings: readNagFindings(outdir).filter((f) => ours(f.split(' at ')[1] ?? '')),
    acknowledgements: readAcknowledgements(outdir).filter((a) => ours(a.path.replace(/^\//, ''))),
    template: (part) =>
      Template.fromJSON(
        JSON.parse(fs.readFileSync(path.join(outdir, `${prefix}-${part}.template.json`), 'utf8')) as Record<
          string,
          unknown
        >,
      ),
  };
}

function isValidationFailure(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'ValidationFailed' || error.message.includes('Validation failed'))
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

function readAcknowledgements(outdir: string): { path: string; ruleId: string; reason: string }[] {
  const found: { path: string; ruleId: string; reason: string }[] = [];
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
