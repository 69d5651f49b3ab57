import { ArnFormat } from 'aws-cdk-lib';
import { stageResourcePrefix } from '../shared/pipeline-layout';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { sftpReachabilityWarning } from '../config';
import {
  renderReference,
  S3_SINK_PLUGIN,
  s3SinkConnectorConfig,
  secretsManagerReference,
  SFTP_SECRET_KEYS,
  SFTP_SOURCE_PLUGIN,
  sftpSourceConnectorConfig,
  workerProperties,
  type SftpAuthentication,
} from '../../connectors/connector-config';
import type { StageConfig } from '../config';
import { ConnectPlugins } from './connect-plugins';
import { dataRemovalPolicy } from '../shared/data-removal-policy';
import { encryptedLogGroup } from '../shared/encrypted-log-group';
import { KafkaTopic } from './kafka-topic';
import { MskCluster } from './msk-cluster';
import { MskConnector } from './msk-connector';
import { acknowledgeWildcardResource } from '../shared/nag-acknowledgements';
import { SftpLogServer } from './sftp-log-server';
import { SERVICE_SUBNET_GROUP } from '../network/network-names';
import type { StreamingStackProps } from './streaming-stack-props';
import { PipelineStack } from '../shared/pipeline-stack';
import { RAW_TRANSACTIONS_PREFIX } from '../shared/pipeline-layout';
import type { StreamingMonitoringTargets } from './streaming-monitoring-targets';

export type { StreamingStackProps } from './streaming-stack-props';

/** MSK cluster, transactions topic, MSK Connect plugins, worker config and the two connectors. */
export class StreamingStack extends PipelineStack {
  readonly monitoringTargets: StreamingMonitoringTargets;
  readonly cluster: MskCluster;
  readonly topic: KafkaTopic;
  readonly sourceConnector: MskConnector;
  readonly sinkConnector: MskConnector;
  /** The Transfer Family log server, when `streaming.useTransferFamily` is true. */
  readonly sftpServer?: SftpLogServer;

  constructor(scope: Construct, id: string, props: StreamingStackProps) {
    super(scope, id, props);
    const { config, vpc, securityGroups, buckets, dataKey } = props;
    const streaming = config.streaming;
    const prefix = stageResourcePrefix(config.stage);
    const subnets = { subnetGroupName: SERVICE_SUBNET_GROUP };
    const logRetention = config.orchestration.logRetentionDays as logs.RetentionDays;
    const removalPolicy = dataRemovalPolicy(config);

    // Three copies where there are three brokers; a write is acknowledged once all but one have it.
    const replicationFactor = Math.min(3, streaming.brokerCount);
    const minInsyncReplicas = Math.max(1, replicationFactor - 1);

    this.cluster = new MskCluster(this, 'Kafka', {
      clusterName: prefix,
      kafkaVersion: streaming.kafkaVersion,
      brokerCount: streaming.brokerCount,
      instanceType: streaming.brokerInstanceType,
      volumeGiB: streaming.brokerVolumeGiB,
      vpc,
      subnets,
      securityGroup: securityGroups.msk,
      dataKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
      serverProperties: {
        'default.replication.factor': String(replicationFactor),
        'min.insync.replicas': String(minInsyncReplicas),
      },
    });

    this.topic = new KafkaTopic(this, 'TransactionsTopic', {
      config,
      cluster: this.cluster,
      topicName: streaming.topicName,
      partitions: streaming.topicPartitions,
      replicationFactor,
      topicConfigs: { 'min.insync.replicas': String(minInsyncReplicas) },
      dataKey,
      vpc,
      subnets,
      securityGroup: securityGroups.lambda,
    });

    const plugins = new ConnectPlugins(this, 'ConnectPlugins', {
      config,
      namePrefix: prefix,
      distDir: props.pluginDistDir,
      plugins: [SFTP_SOURCE_PLUGIN, S3_SINK_PLUGIN],
      artifactsBucket: buckets.artifacts,
      dataKey,
      vpc,
      subnets,
      securityGroup: securityGroups.lambda,
    });

    const connectorLogs = new logs.LogGroup(this, 'ConnectorLogs', {
      encryptionKey: dataKey,
      retention: logRetention,
      removalPolicy,
    });

    const sftp = this.sftpConnection(props);
    this.sftpServer = sftp.server;
    const connectorCommon = {
      namePrefix: prefix,
      cluster: this.cluster,
      bootstrapServers: this.topic.bootstrapBrokers,
      vpc,
      subnets,
      securityGroup: securityGroups.mskConnect,
      mcuCount: streaming.connectMcuCount,
      workerCount: streaming.connectWorkerCount,
      logGroup: connectorLogs,
      dependsOn: [this.topic.resource],
    };

    this.sourceConnector = new MskConnector(this, 'SftpSource', {
      ...connectorCommon,
      kind: 'sftp-source',
      description: `Reads transaction JSON-lines files from SFTP ${streaming.sftpInputDir} into ${streaming.topicName}`,
      connectorConfig: sftpSourceConfig(config, sftp.authentication),
      workerProperties: workerProperties({ target: 'msk-connect', secretsManagerRegion: this.region }),
      plugin: plugins.plugin(SFTP_SOURCE_PLUGIN),
    });
    this.allowSourceAccess(this.sourceConnector, config.streaming.sftpSecretName, props);
    if (sftp.server) {
      // Created here (Transfer Family): the connector must not start before its secret and server exist.
      this.sourceConnector.connector.node.addDependency(sftp.server.secret, sftp.server.server);
    }

    this.sinkConnector = new MskConnector(this, 'S3Sink', {
      ...connectorCommon,
      kind: 's3-sink',
      description: `Writes ${streaming.topicName} to the raw zone as hour-partitioned JSON lines`,
      connectorConfig: s3SinkConnectorConfig({
        bucketName: buckets.raw.bucketName,
        region: this.region,
        prefix: RAW_TRANSACTIONS_PREFIX,
        credentials: { mode: 'iam-role' },
        topic: streaming.topicName,
        // More tasks than partitions would sit idle.
        tasksMax: Math.min(
          streaming.topicPartitions,
          streaming.connectWorkerCount * streaming.connectMcuCount,
        ),
      }),
      workerProperties: workerProperties({ target: 'msk-connect' }),
      plugin: plugins.plugin(S3_SINK_PLUGIN),
    });
    const sinkConsumerGroup = `connect-${this.sinkConnector.connectorName}`;
    this.allowSinkAccess(this.sinkConnector, sinkConsumerGroup, props);

    this.monitoringTargets = {
      clusterName: this.cluster.clusterName,
      topicName: streaming.topicName,
      sourceConnectorName: this.sourceConnector.connectorName,
      sinkConnectorName: this.sinkConnector.connectorName,
      sinkConsumerGroup,
      clusterArn: this.cluster.clusterArn,
      brokerCount: streaming.brokerCount,
      brokerLogGroupName: this.cluster.brokerLogGroup.logGroupName,
      connectorLogGroupName: connectorLogs.logGroupName,
    };
  }

  /**
   * The SFTP server the source connector reads from: a Transfer Family server
   * created here with its connection secret (SSH-key login), or an existing log
   * server whose secret (password login) an operator created.
   */
  private sftpConnection(props: StreamingStackProps): {
    authentication: SftpAuthentication['method'];
    server?: SftpLogServer;
  } {
    const { config } = props;
    if (!config.streaming.useTransferFamily) {
      const reachability = sftpReachabilityWarning(config);
      if (reachability !== undefined) console.warn(reachability);
      // The secret exists already (an operator created it); the connector only references it by name.
      return { authentication: 'password' };
    }
    const landingBucket = props.buckets.sftpLanding;
    if (!landingBucket) {
      throw new Error(
        `stages.${config.stage}.streaming.useTransferFamily is true but the storage stack has no sftpLanding bucket: ` +
          'build StorageStack with the same config as StreamingStack',
      );
    }
    const server = new SftpLogServer(this, 'SftpLogServer', {
      vpc: props.vpc,
      subnets: { subnetGroupName: SERVICE_SUBNET_GROUP },
      securityGroup: props.securityGroups.sftp,
      landingBucket,
      inputDir: config.streaming.sftpInputDir,
      dataKey: props.dataKey,
      logGroup: encryptedLogGroup(this, 'SftpServerLogs', { config, dataKey: props.dataKey }),
      secretName: config.streaming.sftpSecretName,
    });
    return { authentication: 'private-key', server };
  }

  /** Source: write the transactions topic, read the SFTP connection secret. */
  private allowSourceAccess(source: MskConnector, secretName: string, props: StreamingStackProps): void {
    const role = source.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ProduceTransactions',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [this.cluster.topicArn(props.config.streaming.topicName)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'IdempotentProducer',
        actions: ['kafka-cluster:WriteDataIdempotently'],
        resources: [this.cluster.clusterArn],
      }),
    );
    // Written out rather than secret.grantRead(role): for a secret encrypted with the pipeline key that
    // would also edit the key policy in the foundation stack, a dependency cycle.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheSftpSecret',
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        // Secrets Manager appends 6 random characters to a secret's name in its ARN.
        resources: [
          `${this.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: secretName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          })}-??????`,
        ],
      }),
    );
    // The secret may be encrypted with the pipeline key; only through Secrets Manager.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptTheSecretThroughSecretsManager',
        actions: ['kms:Decrypt'],
        resources: [props.dataKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
      }),
    );
  }

  /** Sink: read the topic as its consumer group, write objects under the raw zone's transactions/ prefix. */
  private allowSinkAccess(sink: MskConnector, consumerGroup: string, props: StreamingStackProps): void {
    const role = sink.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConsumeTransactions',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [this.cluster.topicArn(props.config.streaming.topicName)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OwnConsumerGroup',
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: [this.cluster.groupArn(consumerGroup)],
      }),
    );
    const rawObjects = props.buckets.raw.arnForObjects(`${RAW_TRANSACTIONS_PREFIX}*`);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteRawTransactions',
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [rawObjects],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'EncryptRawObjects',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.dataKey.keyArn],
      }),
    );
    acknowledgeWildcardResource(
      role.permissionsPolicy,
      rawObjects,
      `The S3 sink writes one object per hour folder and rotation under ${RAW_TRANSACTIONS_PREFIX} of the raw zone (year=/month=/day=/hour=/<topic>+<partition>+<offset>); it may only put objects there`,
    );
  }
}

/**
 * The SFTP source configuration. Every connection detail (host, port, user,
 * password or private key, known hosts) is a reference to the SFTP secret,
 * resolved by the worker's Secrets Manager config provider at run time: no
 * value of the secret is in the template.
 */
function sftpSourceConfig(
  config: StageConfig,
  authentication: SftpAuthentication['method'],
): Record<string, string> {
  const secretName = config.streaming.sftpSecretName;
  const fromSecret = (key: string) => secretsManagerReference(secretName, key);
  const sourceConfig = sftpSourceConnectorConfig({
    host: renderReference(fromSecret(SFTP_SECRET_KEYS.host)),
    username: fromSecret(SFTP_SECRET_KEYS.username),
    authentication:
      authentication === 'password'
        ? { method: 'password', password: fromSecret(SFTP_SECRET_KEYS.password) }
        : { method: 'private-key', privateKey: fromSecret(SFTP_SECRET_KEYS.privateKey) },
    hostKey: { mode: 'known-hosts', knownHosts: renderReference(fromSecret(SFTP_SECRET_KEYS.knownHosts)) },
    inputDir: config.streaming.sftpInputDir,
    topic: config.streaming.topicName,
    tasksMax: config.streaming.connectWorkerCount,
  });
  // The port is part of the secret too (sftpSourceConnectorConfig only takes a number).
  return { ...sourceConfig, 'sftp.port': renderReference(fromSecret(SFTP_SECRET_KEYS.port)) };
}
