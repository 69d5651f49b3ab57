import { createHash } from 'node:crypto';
import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kafkaconnect from 'aws-cdk-lib/aws-kafkaconnect';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import {
  canonicalConfigJson,
  connectorName,
  MSK_CONNECT_KAFKA_ACCESS,
  renderProperties,
  type ConnectorKind,
} from '../../connectors/connector-config';
import { MSK_CONNECT_VERSION } from '../config/aws-runtimes';
import type { DeployedPlugin } from './connect-plugins';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import type { MskCluster } from './msk-cluster';
import { acknowledgeWildcardResource } from '../shared/nag-acknowledgements';

/** Prefix of the internal topics and consumer groups MSK Connect creates for every connector. */
const MSK_CONNECT_INTERNAL_PREFIX = '__amazon_msk_connect_';

export interface MskConnectorProps {
  /** Prefix of the connector and worker-configuration names, e.g. 'dev-bankpipe' (stageResourcePrefix). */
  readonly namePrefix: string;
  readonly kind: ConnectorKind;
  readonly description: string;
  /** The connector configuration (from connectors/connector-config.ts). */
  readonly connectorConfig: Readonly<Record<string, string>>;
  /** Worker properties (from connectors/connector-config.ts workerProperties). */
  readonly workerProperties: Readonly<Record<string, string>>;
  readonly plugin: DeployedPlugin;
  readonly cluster: MskCluster;
  /** SASL/IAM bootstrap string; pass the topic resource's attribute so the connector starts after the topic exists. */
  readonly bootstrapServers: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly mcuCount: number;
  readonly workerCount: number;
  /** Worker logs go here. */
  readonly logGroup: logs.ILogGroup;
  /** Resources that must exist before the connector starts (the topic). @default none */
  readonly dependsOn?: IDependable[];
}

/**
 * One MSK Connect connector with its own worker configuration and service
 * execution role, IAM-authenticated over TLS to the cluster.
 *
 * Names: MSK Connect cannot update a worker configuration, custom plugin or
 * most connector settings in place, and CloudFormation replaces a resource by
 * creating the new one first. A fixed name would then fail with "already
 * exists", so every name ends with a hash of what it is made of: the worker
 * configuration of its properties, the connector of its configuration, plugin,
 * worker configuration and Connect version. Capacity is updated in place and
 * left out of the hash.
 */
export class MskConnector extends Construct {
  readonly connector: kafkaconnect.CfnConnector;
  readonly workerConfiguration: kafkaconnect.CfnWorkerConfiguration;
  readonly role: ManagedPolicyRole;
  readonly connectorName: string;

  constructor(scope: Construct, id: string, props: MskConnectorProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const workerFile = renderProperties(
      props.workerProperties,
      `MSK Connect worker configuration: ${props.kind}`,
    );
    const workerHash = createHash('sha256')
      .update(canonicalConfigJson(props.workerProperties))
      .digest('hex')
      .slice(0, 8);
    this.workerConfiguration = new kafkaconnect.CfnWorkerConfiguration(this, 'WorkerConfiguration', {
      name: `${props.namePrefix}-${props.kind}-worker-${workerHash}`,
      description: `Worker properties of the ${props.kind} connector`,
      // Fn::Base64 rather than base64 at synth: the properties may hold tokens (the region).
      propertiesFileContent: Fn.base64(workerFile),
    });
    // Worker configurations cannot be updated and are shared history: a replaced one is kept, not deleted.
    this.workerConfiguration.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.connectorName = connectorName(props.namePrefix, props.kind, {
      ...props.connectorConfig,
      // Not connector settings: folded into the name hash because changing them replaces the connector.
      'x-msk-connect.custom-plugin': props.plugin.customPlugin.name,
      'x-msk-connect.worker-configuration': this.workerConfiguration.name,
      'x-msk-connect.version': MSK_CONNECT_VERSION,
    });

    this.role = new ManagedPolicyRole(this, 'ServiceExecutionRole', {
      description: `MSK Connect service execution role of ${this.connectorName}`,
      assumedBy: new iam.ServicePrincipal('kafkaconnect.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'kafkaconnect',
              resource: 'connector',
              resourceName: `${this.connectorName}/*`,
            }),
          },
        },
      }),
    });
    this.allowConnectRuntime(props.cluster);

    this.connector = new kafkaconnect.CfnConnector(this, 'Connector', {
      connectorName: this.connectorName,
      connectorDescription: props.description,
      kafkaConnectVersion: MSK_CONNECT_VERSION,
      capacity: { provisionedCapacity: { mcuCount: props.mcuCount, workerCount: props.workerCount } },
      connectorConfiguration: { ...props.connectorConfig },
      kafkaCluster: {
        apacheKafkaCluster: {
          bootstrapServers: props.bootstrapServers,
          vpc: {
            securityGroups: [props.securityGroup.securityGroupId],
            subnets: props.vpc.selectSubnets(props.subnets).subnetIds,
          },
        },
      },
      kafkaClusterClientAuthentication: { ...MSK_CONNECT_KAFKA_ACCESS.kafkaClusterClientAuthentication },
      kafkaClusterEncryptionInTransit: { ...MSK_CONNECT_KAFKA_ACCESS.kafkaClusterEncryptionInTransit },
      plugins: [
        {
          customPlugin: {
            customPluginArn: props.plugin.customPlugin.attrCustomPluginArn,
            revision: props.plugin.customPlugin.attrRevision,
          },
        },
      ],
      workerConfiguration: {
        workerConfigurationArn: this.workerConfiguration.attrWorkerConfigurationArn,
        revision: this.workerConfiguration.attrRevision,
      },
      serviceExecutionRoleArn: this.role.roleArn,
      logDelivery: {
        workerLogDelivery: { cloudWatchLogs: { enabled: true, logGroup: props.logGroup.logGroupName } },
      },
    });
    // The role's permissions must be in place before the workers start.
    this.connector.node.addDependency(this.role.permissionsPolicy);
    for (const dependency of props.dependsOn ?? []) this.connector.node.addDependency(dependency);
  }

  /** Connect to the cluster, and the internal offset/config/status topics and worker group every connector uses. */
  private allowConnectRuntime(cluster: MskCluster): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConnectToTheCluster',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [cluster.clusterArn],
      }),
    );
    const internalTopics = cluster.topicArn(`${MSK_CONNECT_INTERNAL_PREFIX}*`);
    const internalGroups = cluster.groupArn(`${MSK_CONNECT_INTERNAL_PREFIX}*`);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConnectInternalTopics',
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:ReadData',
          'kafka-cluster:WriteData',
        ],
        resources: [internalTopics],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConnectWorkerGroup',
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: [internalGroups],
      }),
    );
    acknowledgeWildcardResource(
      this.role.permissionsPolicy,
      internalTopics,
      `MSK Connect creates its own offset, config and status topics for ${this.connectorName}, named ${MSK_CONNECT_INTERNAL_PREFIX}<kind>_<connector id>; the id is assigned at creation`,
    );
    acknowledgeWildcardResource(
      this.role.permissionsPolicy,
      internalGroups,
      `The Connect worker group of ${this.connectorName} is named ${MSK_CONNECT_INTERNAL_PREFIX}<connector id> by MSK Connect; the id is assigned at creation`,
    );
  }
}
