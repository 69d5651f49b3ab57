import { Fn, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as kafkaconnect from 'aws-cdk-lib/aws-kafkaconnect';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ConnectorPlugin } from '../../connectors/connector-config';
import type { StageConfig } from '../config';
import { skipCheckov } from '../shared/checkov';
import { findPluginZip, type PluginZip } from './connect-plugin-files';
import { encryptedLogGroup } from '../shared/encrypted-log-group';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { acknowledgeWildcardResource } from '../shared/nag-acknowledgements';
import { PipelineFunctionBaselinePolicy } from '../shared/pipeline-function';

/** Key prefix of the plugin zips in the artifacts bucket. */
export const PLUGIN_KEY_PREFIX = 'msk-connect/plugins/';

export interface ConnectPluginsProps {
  readonly config: StageConfig;
  /** Prefix of the custom-plugin names, e.g. 'dev-bankpipe' (stageResourcePrefix). */
  readonly namePrefix: string;
  /** Folder with the built plugin zips (connectors/dist). */
  readonly distDir: string;
  readonly plugins: readonly ConnectorPlugin[];
  /** The artifacts bucket the zips are copied to. */
  readonly artifactsBucket: s3.IBucket;
  readonly dataKey: kms.IKey;
  /** Where the copying Lambda runs. */
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
}

/** One deployed custom plugin. */
export interface DeployedPlugin {
  readonly zip: PluginZip;
  readonly customPlugin: kafkaconnect.CfnCustomPlugin;
}

/**
 * The MSK Connect custom plugins, read from the pipeline's artifacts bucket.
 *
 * The zips are copied from the CDK asset bucket to `msk-connect/plugins/` of
 * the artifacts bucket (a BucketDeployment, zips unchanged) and each
 * CfnCustomPlugin points at its object key and version there. Why not the asset
 * bucket directly: plugins then live in the pipeline's own KMS-encrypted,
 * versioned, access-logged and retained bucket, and are not lost when old CDK
 * assets are garbage-collected. Custom plugins cannot be updated, so each
 * name carries a hash of its zip: a new build is a new plugin (and, through the
 * connector name hash, a replaced connector).
 */
export class ConnectPlugins extends Construct {
  readonly deployment: s3deploy.BucketDeployment;
  private readonly deployed = new Map<string, DeployedPlugin>();

  constructor(scope: Construct, id: string, props: ConnectPluginsProps) {
    super(scope, id);
    const zips = props.plugins.map((plugin) => findPluginZip(props.distDir, plugin));
    // Assets made here (not Source.asset) so that nothing grants the copier a wildcard read on the asset bucket.
    const assets = zips.map((zip) => new s3assets.Asset(this, `${zip.plugin.name}-zip`, { path: zip.path }));
    const sources = assets.map((asset) => s3deploy.Source.bucket(asset.bucket, asset.s3ObjectKey));
    const bucket = props.artifactsBucket;

    const logGroup = encryptedLogGroup(this, 'CopyLogs', { config: props.config, dataKey: props.dataKey });
    const role = new ManagedPolicyRole(this, 'CopyRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the MSK Connect plugin zips into the artifacts bucket at deployment',
    });
    const pluginObjects = bucket.arnForObjects(`${PLUGIN_KEY_PREFIX}*`);
    for (const statement of [
      new iam.PolicyStatement({
        sid: 'ReadThePluginAssets',
        actions: ['s3:GetObject'],
        resources: assets.map((asset) => asset.bucket.arnForObjects(asset.s3ObjectKey)),
      }),
      new iam.PolicyStatement({
        sid: 'ListThePluginPrefix',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [PLUGIN_KEY_PREFIX, `${PLUGIN_KEY_PREFIX}*`] } },
      }),
      new iam.PolicyStatement({
        sid: 'WriteThePluginPrefix',
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [pluginObjects],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptWithPipelineKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.dataKey.keyArn],
      }),
    ]) {
      role.addToPrincipalPolicy(statement);
    }
    logGroup.grantWrite(role);
    acknowledgeWildcardResource(
      role.permissionsPolicy,
      pluginObjects,
      `The plugin copier writes zips named by their content hash under ${PLUGIN_KEY_PREFIX} of the artifacts bucket, and nothing else in it`,
    );
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    const baseline = PipelineFunctionBaselinePolicy.of(this);
    baseline.allowNetworkInterfacesIn(subnets, props.securityGroup);
    baseline.attachToRole(role);

    this.deployment = new s3deploy.BucketDeployment(this, 'Copy', {
      sources,
      destinationBucket: bucket,
      destinationKeyPrefix: PLUGIN_KEY_PREFIX,
      extract: false,
      // Old zips stay: a custom plugin still in use must keep its object.
      prune: false,
      retainOnDelete: true,
      serverSideEncryption: s3deploy.ServerSideEncryption.AWS_KMS,
      serverSideEncryptionAwsKmsKeyId: props.dataKey.keyArn,
      role: role.withoutPolicyUpdates(),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      logGroup,
      memoryLimit: 512,
    });
    this.noteCopyFunction(role, baseline);

    zips.forEach((zip, index) => {
      const customPlugin = new kafkaconnect.CfnCustomPlugin(this, zip.plugin.name, {
        name: `${props.namePrefix}-${zip.plugin.name}-${zip.contentHash}`,
        description: `${zip.plugin.description} (${zip.plugin.name} ${zip.plugin.version})`,
        contentType: 'ZIP',
        location: {
          s3Location: {
            bucketArn: bucket.bucketArn,
            fileKey: `${PLUGIN_KEY_PREFIX}${Fn.select(index, this.deployment.objectKeys)}`,
            objectVersion: Fn.select(index, this.deployment.objectVersionIds),
          },
        },
      });
      this.deployed.set(zip.plugin.name, { zip, customPlugin });
    });
  }

  /** The deployed custom plugin of a plugin. */
  plugin(plugin: ConnectorPlugin): DeployedPlugin {
    const deployed = this.deployed.get(plugin.name);
    if (!deployed) throw new Error(`Plugin ${plugin.name} was not deployed by ${this.node.path}`);
    return deployed;
  }

  /**
   * The BucketDeployment Lambda is a stack singleton CDK creates with a fixed
   * Python runtime; it gets its ordering, acknowledgement and checkov notes here.
   */
  private noteCopyFunction(role: ManagedPolicyRole, baseline: PipelineFunctionBaselinePolicy): void {
    const stack = Stack.of(this);
    const singletons = stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    for (const singleton of singletons) {
      const fn = singleton.node
        .findAll()
        .find((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
      if (!fn) continue;
      // Lambda checks the network-interface permissions when the function is created.
      fn.node.addDependency(role.permissionsPolicy, baseline.policy);
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'The BucketDeployment handler that copies the MSK Connect plugin zips is CDK-provided with a fixed Python runtime (aws-s3-deployment sets it, no prop overrides it); it runs only during deployments',
      });
      skipCheckov(
        fn,
        'CKV_AWS_115',
        'The plugin-copying BucketDeployment handler runs once per deployment that changes a plugin; a reservation would only take capacity from the account pool',
      );
      skipCheckov(
        fn,
        'CKV_AWS_116',
        'CloudFormation waits for the plugin-copying BucketDeployment handler and fails the deployment if the copy fails; a DLQ would never receive anything',
      );
      skipCheckov(
        fn,
        'CKV_AWS_173',
        'The plugin-copying BucketDeployment handler environment holds no secret, only the CLI layer path CDK sets',
      );
    }
  }
}
