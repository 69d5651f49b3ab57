import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { loadStageConfig, type StageConfig } from '../../lib/config';
import type { AnalyticsRunTargets } from '../../lib/analytics/analytics-stack';
import { type PipelineSecurityGroups } from '../../lib/network/network-stack';
import { SERVICE_SUBNET_GROUP, WAREHOUSE_SUBNET_GROUP } from '../../lib/network/network-names';
import type { EmrRunSettings } from '../../lib/processing/emr-run-settings';
import { OrchestrationStack } from '../../lib/orchestration/orchestration-stack';
import { stageResourcePrefix } from '../../lib/shared/pipeline-layout';
import type { DataLakeBuckets } from '../../lib/storage/storage-stack';
import type { WarehouseConnection } from '../../lib/warehouse/warehouse-stack';
import { cdkJsonContext } from '../helpers/synth-pipeline';

/**
 * Minimal stand-ins for the resources other stacks provide (key, VPC, security
 * group), so orchestration/monitoring constructs can be synthesized alone,
 * without building the stacks that provide them.
 */
export interface StandIns {
  readonly app: App;
  readonly config: StageConfig;
  readonly shared: Stack;
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly lambdaSecurityGroup: ec2.ISecurityGroup;
}

/** Account and region of the stand-ins and of the stacks built on them. */
export const STAND_IN_ENV = { account: '111111111111', region: 'eu-central-1' };

export function createStandIns(stage: 'dev' | 'prod' = 'dev'): StandIns {
  const app = new App({ context: { ...cdkJsonContext(), stage } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const shared = new Stack(app, 'StandIns', { env: STAND_IN_ENV });
  const dataKey = new kms.Key(shared, 'DataKey', { enableKeyRotation: true });
  // Imported, so the stand-ins add no resources (and no nag findings) of their own.
  const vpc = ec2.Vpc.fromVpcAttributes(shared, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    availabilityZones: ['eu-central-1a', 'eu-central-1b'],
    privateSubnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
    privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60011', 'rtb-0a1b2c3d4e5f60012'],
    privateSubnetNames: [SERVICE_SUBNET_GROUP],
    isolatedSubnetIds: ['subnet-0a1b2c3d4e5f60021', 'subnet-0a1b2c3d4e5f60022'],
    isolatedSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60021', 'rtb-0a1b2c3d4e5f60022'],
    isolatedSubnetNames: [WAREHOUSE_SUBNET_GROUP],
  });
  const lambdaSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
    shared,
    'LambdaSg',
    'sg-0a1b2c3d4e5f60031',
  );
  return { app, config, shared, dataKey, vpc, lambdaSecurityGroup };
}

/** Imported stand-ins for the other stacks' outputs the orchestration consumes. */
export function orchestrationInputs(standIns: StandIns): {
  buckets: DataLakeBuckets;
  alertsTopic: sns.ITopic;
  emr: EmrRunSettings;
  analytics: AnalyticsRunTargets;
  warehouse: WarehouseConnection;
  securityGroups: PipelineSecurityGroups;
} {
  const { shared, lambdaSecurityGroup } = standIns;
  const bucket = (name: string): s3.IBucket =>
    s3.Bucket.fromBucketName(shared, `${name}Bucket`, `stand-in-${name}`);
  const sg = (id: string, n: number): ec2.ISecurityGroup =>
    ec2.SecurityGroup.fromSecurityGroupId(shared, id, `sg-0a1b2c3d4e5f600${40 + n}`);
  return {
    buckets: {
      raw: bucket('raw'),
      processed: bucket('processed'),
      quarantine: bucket('quarantine'),
      athenaResults: bucket('athena'),
      artifacts: bucket('artifacts'),
      accessLogs: bucket('logs'),
    },
    alertsTopic: sns.Topic.fromTopicArn(
      shared,
      'Alerts',
      'arn:aws:sns:eu-central-1:111111111111:stand-in-alerts',
    ),
    emr: {
      releaseLabel: 'emr-7.5.0',
      serviceRole: iam.Role.fromRoleArn(
        shared,
        'EmrService',
        'arn:aws:iam::111111111111:role/stand-in-emr-service',
      ),
      jobFlowRole: iam.Role.fromRoleArn(
        shared,
        'EmrInstance',
        'arn:aws:iam::111111111111:role/stand-in-emr-instance',
      ),
      instanceProfileName: 'stand-in-emr-instance',
      securityConfigurationName: 'stand-in-security-configuration',
      subnetId: 'subnet-0a1b2c3d4e5f60011',
      primarySecurityGroupId: 'sg-0a1b2c3d4e5f60051',
      coreSecurityGroupId: 'sg-0a1b2c3d4e5f60052',
      serviceAccessSecurityGroupId: 'sg-0a1b2c3d4e5f60053',
      primaryInstanceType: 'm7g.xlarge',
      coreInstanceType: 'm7g.xlarge',
      coreInstanceCount: 2,
      idleTimeoutSeconds: 1800,
      logUri: 's3://stand-in-artifacts/emr-logs/',
      atmJobScriptUri: 's3://stand-in-artifacts/spark-jobs/atm/atm_job.py',
      atmJobPyFilesUri: 's3://stand-in-artifacts/spark-jobs/atm/bankpipe.zip',
    },
    analytics: {
      glueDatabaseName: 'stand_in_db',
      rawCrawlerName: 'stand-in-raw-crawler',
      processedCrawlerName: 'stand-in-processed-crawler',
      loadJobName: 'stand-in-load-job',
      athenaWorkgroupName: 'stand-in-workgroup',
    },
    warehouse: {
      kind: 'serverless',
      databaseName: 'bank',
      endpointAddress: 'stand-in.example.internal',
      port: 5439,
      workgroupName: 'stand-in-workgroup',
      dataApiResourceArn: 'arn:aws:redshift-serverless:eu-central-1:111111111111:workgroup/0a1b2c3d-stand-in',
      jdbcUrl: 'jdbc:redshift://stand-in.example.internal:5439/bank',
    },
    securityGroups: {
      msk: sg('Msk', 1),
      mskConnect: sg('MskConnect', 2),
      emrPrimary: sg('EmrPrimary', 3),
      emrCore: sg('EmrCore', 4),
      emrServiceAccess: sg('EmrServiceAccess', 5),
      glue: sg('Glue', 6),
      redshift: sg('Redshift', 7),
      lambda: lambdaSecurityGroup,
      sftp: sg('Sftp', 8),
    },
  };
}

/**
 * An OrchestrationStack on the stand-ins and their {@link orchestrationInputs}, with `warehouse`
 * in place of the stand-in (serverless) connection where given. Returns the inputs too, for
 * stacks built beside it.
 */
export function orchestrationOnStandIns(
  standIns: StandIns,
  warehouse?: WarehouseConnection,
): { stack: OrchestrationStack; inputs: ReturnType<typeof orchestrationInputs> } {
  const inputs = orchestrationInputs(standIns);
  const stack = new OrchestrationStack(
    standIns.app,
    `${stageResourcePrefix(standIns.config.stage)}-orchestration`,
    {
      ...inputs,
      config: standIns.config,
      env: STAND_IN_ENV,
      dataKey: standIns.dataKey,
      vpc: standIns.vpc,
      warehouse: warehouse ?? inputs.warehouse,
    },
  );
  return { stack, inputs };
}
