import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig, type StageConfig } from '../../../lib/config';
import { globalStackNagFindings, resolveStackOutput, resourcesOfType } from '../../helpers/cross-stack';
import {
  buildCoreStacks,
  corePluginFixtureDir,
  synthCoreStacks,
  type CoreSynthResult,
} from '../../helpers/synth-core-stacks';
import { cdkJsonContext, loadTemplateJson, TEST_STAGES, type TestStage } from '../../helpers/synth-pipeline';

type Resource = ReturnType<typeof resourcesOfType>[number][1];

function stageConfig(stage: string): StageConfig {
  const context: Record<string, unknown> = { ...cdkJsonContext(), stage };
  return loadStageConfig((key) => context[key]);
}

function single(json: unknown, type: string, idPrefix = ''): [string, Resource] {
  const found = resourcesOfType(json, type).filter(([id]) => id.startsWith(idPrefix));
  expect(found, `one ${type} ${idPrefix}`).toHaveLength(1);
  return found[0] as [string, Resource];
}

/** Statements of the managed policies attached to a role. */
function roleStatements(json: unknown, roleLogicalId: string): Record<string, unknown>[] {
  return resourcesOfType(json, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => JSON.stringify(p.Properties?.Roles ?? []).includes(`"${roleLogicalId}"`))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
}

describe.each(TEST_STAGES)('streaming stack (%s)', (stage: TestStage) => {
  const json = loadTemplateJson(stage, 'streaming');
  const config = stageConfig(stage);
  const streaming = config.streaming;
  const replicationFactor = Math.min(3, streaming.brokerCount);
  const [clusterId, cluster] = single(json, 'AWS::MSK::Cluster');
  const [topicId, topic] = single(json, 'Custom::KafkaTopic');
  const [, source] = single(json, 'AWS::KafkaConnect::Connector', 'SftpSource');
  const [, sink] = single(json, 'AWS::KafkaConnect::Connector', 'S3Sink');

  it('sizes the MSK cluster from the stage config', () => {
    expect(cluster.Properties).toMatchObject({
      ClusterName: `${stage}-bankpipe`,
      KafkaVersion: streaming.kafkaVersion,
      NumberOfBrokerNodes: streaming.brokerCount,
      BrokerNodeGroupInfo: {
        InstanceType: streaming.brokerInstanceType,
        StorageInfo: { EBSStorageInfo: { VolumeSize: streaming.brokerVolumeGiB } },
        ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } },
      },
    });
  });

  it('puts the brokers in the private service subnets, one per AZ', () => {
    const subnets = (cluster.Properties?.BrokerNodeGroupInfo as { ClientSubnets: unknown[] }).ClientSubnets;
    expect(subnets).toHaveLength(config.network.maxAzs);
    for (const subnet of subnets) {
      const { logicalId, resource } = resolveStackOutput(stage, subnet);
      expect(resource.Type).toBe('AWS::EC2::Subnet');
      expect(logicalId).toMatch(/^Vpcservices/);
      expect(resource.Properties?.MapPublicIpOnLaunch).toBe(false);
      // Private with NAT egress, isolated in a stage without NAT gateways (network.natGateways: 0).
      const subnetType = config.network.natGateways > 0 ? 'Private' : 'Isolated';
      expect(resource.Properties?.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: subnetType });
    }
    const [group] = (cluster.Properties?.BrokerNodeGroupInfo as { SecurityGroups: unknown[] }).SecurityGroups;
    expect(resolveStackOutput(stage, group).logicalId).toMatch(/^MskSecurityGroup/);
  });

  it('accepts only SASL/IAM clients over TLS and encrypts at rest with the pipeline key', () => {
    expect(cluster.Properties?.ClientAuthentication).toEqual({
      Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } },
      Tls: { Enabled: false },
      Unauthenticated: { Enabled: false },
    });
    const encryption = cluster.Properties?.EncryptionInfo as {
      EncryptionAtRest: { DataVolumeKMSKeyId: unknown };
      EncryptionInTransit: unknown;
    };
    expect(encryption.EncryptionInTransit).toEqual({ ClientBroker: 'TLS', InCluster: true });
    const key = resolveStackOutput(stage, encryption.EncryptionAtRest.DataVolumeKMSKeyId);
    expect(key.stackPart).toBe('foundation');
    expect(key.resource.Type).toBe('AWS::KMS::Key');
  });

  it('sends broker logs to a KMS-encrypted log group and collects per-partition metrics', () => {
    expect(cluster.Properties?.EnhancedMonitoring).toBe('PER_TOPIC_PER_PARTITION');
    const brokerLogs = (
      cluster.Properties?.LoggingInfo as {
        BrokerLogs: { CloudWatchLogs: { Enabled: boolean; LogGroup: { Ref: string } } };
      }
    ).BrokerLogs.CloudWatchLogs;
    expect(brokerLogs.Enabled).toBe(true);
    const logGroup = resourcesOfType(json, 'AWS::Logs::LogGroup').find(
      ([id]) => id === brokerLogs.LogGroup.Ref,
    )?.[1];
    expect(logGroup?.Properties?.KmsKeyId).toBeDefined();
    expect(logGroup?.Properties?.RetentionInDays).toBe(config.orchestration.logRetentionDays);
  });

  it('never lets a client create a topic by accident', () => {
    const [, configuration] = single(json, 'AWS::MSK::Configuration');
    const properties = String(configuration.Properties?.ServerProperties).split('\n');
    expect(properties).toContain('auto.create.topics.enable=false');
    expect(properties).toContain(`default.replication.factor=${replicationFactor}`);
    expect(cluster.Properties?.ConfigurationInfo).toEqual({
      Arn: { 'Fn::GetAtt': [expect.stringMatching(/^KafkaConfiguration/), 'Arn'] },
      Revision: { 'Fn::GetAtt': [expect.stringMatching(/^KafkaConfiguration/), 'LatestRevision.Revision'] },
    });
  });

  it('creates the transactions topic with the configured partitions and replication', () => {
    expect(topic.Properties).toMatchObject({
      ClusterArn: { 'Fn::GetAtt': [clusterId, 'Arn'] },
      TopicName: streaming.topicName,
      Partitions: String(streaming.topicPartitions),
      ReplicationFactor: String(replicationFactor),
      Configs: { 'min.insync.replicas': String(Math.max(1, replicationFactor - 1)) },
    });
  });

  it('starts both connectors only after the topic exists, bootstrapping from its attribute', () => {
    for (const connector of [source, sink]) {
      expect(connector.DependsOn).toContain(topicId);
      expect(connector.Properties?.KafkaCluster).toMatchObject({
        ApacheKafkaCluster: { BootstrapServers: { 'Fn::GetAtt': [topicId, 'BootstrapBrokers'] } },
      });
    }
  });

  it('connects both connectors with IAM over TLS from the MSK Connect security group in private subnets', () => {
    for (const connector of [source, sink]) {
      expect(connector.Properties).toMatchObject({
        KafkaClusterClientAuthentication: { AuthenticationType: 'IAM' },
        KafkaClusterEncryptionInTransit: { EncryptionType: 'TLS' },
        KafkaConnectVersion: '3.7.x',
        Capacity: {
          ProvisionedCapacity: {
            McuCount: streaming.connectMcuCount,
            WorkerCount: streaming.connectWorkerCount,
          },
        },
        LogDelivery: { WorkerLogDelivery: { CloudWatchLogs: { Enabled: true } } },
      });
      const vpc = (
        connector.Properties?.KafkaCluster as {
          ApacheKafkaCluster: { Vpc: { SecurityGroups: unknown[]; Subnets: unknown[] } };
        }
      ).ApacheKafkaCluster.Vpc;
      expect(resolveStackOutput(stage, vpc.SecurityGroups[0]).logicalId).toMatch(/^MskConnectSecurityGroup/);
      for (const subnet of vpc.Subnets)
        expect(resolveStackOutput(stage, subnet).logicalId).toMatch(/^Vpcservices/);
    }
  });

  it('names connectors, worker configurations and plugins with a hash of their content', () => {
    expect(source.Properties?.ConnectorName).toMatch(
      new RegExp(`^${stage}-bankpipe-sftp-source-[0-9a-f]{8}$`),
    );
    expect(sink.Properties?.ConnectorName).toMatch(new RegExp(`^${stage}-bankpipe-s3-sink-[0-9a-f]{8}$`));
    const workers = resourcesOfType(json, 'AWS::KafkaConnect::WorkerConfiguration');
    expect(workers.map(([, w]) => w.Properties?.Name).sort()).toEqual([
      expect.stringMatching(new RegExp(`^${stage}-bankpipe-s3-sink-worker-[0-9a-f]{8}$`)),
      expect.stringMatching(new RegExp(`^${stage}-bankpipe-sftp-source-worker-[0-9a-f]{8}$`)),
    ]);
    // Worker configurations cannot be deleted while referenced or updated: replaced ones are kept.
    for (const [, worker] of workers) expect(worker.DeletionPolicy).toBe('Retain');
    const plugins = resourcesOfType(json, 'AWS::KafkaConnect::CustomPlugin');
    expect(plugins.map(([, p]) => p.Properties?.Name).sort()).toEqual([
      expect.stringMatching(new RegExp(`^${stage}-bankpipe-s3-jsonl-sink-[0-9a-f]{8}$`)),
      expect.stringMatching(new RegExp(`^${stage}-bankpipe-sftp-jsonl-source-[0-9a-f]{8}$`)),
    ]);
  });

  it('loads the plugins from the artifacts bucket, pinned to the copied object version', () => {
    for (const [, plugin] of resourcesOfType(json, 'AWS::KafkaConnect::CustomPlugin')) {
      const location = (
        plugin.Properties?.Location as {
          S3Location: { BucketArn: unknown; FileKey: unknown; ObjectVersion: unknown };
        }
      ).S3Location;
      expect(resolveStackOutput(stage, location.BucketArn).logicalId).toMatch(/^ArtifactsBucket/);
      expect(JSON.stringify(location.FileKey)).toContain('msk-connect/plugins/');
      expect(JSON.stringify(location.ObjectVersion)).toContain('SourceObjectVersionIds');
    }
  });

  it('keeps every SFTP connection detail in Secrets Manager: the template holds only references', () => {
    const connectorConfig = source.Properties?.ConnectorConfiguration as Record<string, string>;
    const secretName = encodeURIComponent(streaming.sftpSecretName);
    for (const key of ['sftp.host', 'sftp.port', 'sftp.username', 'sftp.password', 'sftp.known.hosts']) {
      expect(connectorConfig[key], key).toMatch(
        new RegExp(`^\\$\\{secretsmanager:${secretName}:[A-Za-z]+\\}$`),
      );
    }
    expect(resourcesOfType(json, 'AWS::SecretsManager::Secret')).toEqual([]);
    expect(JSON.stringify(json)).not.toMatch(/"(password|privateKey|SecretString)"\s*:/);
  });

  it('lets the source worker resolve secrets through the Secrets Manager config provider', () => {
    const [, worker] = single(json, 'AWS::KafkaConnect::WorkerConfiguration', 'SftpSource');
    const content = JSON.stringify(worker.Properties?.PropertiesFileContent);
    expect(content).toContain('Fn::Base64');
    expect(content).toContain('config.providers=secretsmanager');
    expect(content).toContain(
      'config.providers.secretsmanager.class=io.bankpipe.connect.config.SecretsManagerConfigProvider',
    );
  });

  it('lets the source role read exactly the SFTP secret and write exactly the transactions topic', () => {
    const roleId = String(
      (source.Properties?.ServiceExecutionRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    const statements = roleStatements(json, roleId);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(bySid('ReadTheSftpSecret')?.Resource).toBe(
      `arn:aws:secretsmanager:eu-central-1:111111111111:secret:${streaming.sftpSecretName}-??????`,
    );
    expect(JSON.stringify(bySid('ProduceTransactions')?.Resource)).toContain(`/${streaming.topicName}`);
    expect(([] as unknown[]).concat(bySid('ProduceTransactions')?.Action).sort()).toEqual([
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:WriteData',
    ]);
    expect(statements.some((s) => JSON.stringify(s.Action).includes('s3:'))).toBe(false);
  });

  it('lets the sink role put objects only under transactions/ of the raw bucket and read only its own group', () => {
    const roleId = String(
      (sink.Properties?.ServiceExecutionRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    const statements = roleStatements(json, roleId);
    const write = statements.find((s) => s.Sid === 'WriteRawTransactions');
    expect(([] as unknown[]).concat(write?.Action).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:PutObject',
    ]);
    const [bucketArn, suffix] = (write?.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(resolveStackOutput(stage, bucketArn).logicalId).toMatch(/^RawBucket/);
    expect(suffix).toBe('/transactions/*');
    const group = statements.find((s) => s.Sid === 'OwnConsumerGroup');
    expect(JSON.stringify(group?.Resource)).toContain(`/connect-${String(sink.Properties?.ConnectorName)}`);
    expect(statements.some((s) => JSON.stringify(s.Action).includes('secretsmanager'))).toBe(false);
  });

  it('trusts kafkaconnect only for its own connector in this account', () => {
    const roleId = String(
      (sink.Properties?.ServiceExecutionRoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    const role = resourcesOfType(json, 'AWS::IAM::Role').find(([id]) => id === roleId)?.[1];
    expect(JSON.stringify(role?.Properties?.AssumeRolePolicyDocument)).toContain(
      `connector/${String(sink.Properties?.ConnectorName)}/*`,
    );
  });

  it('grants no wildcard actions anywhere', () => {
    for (const [id, policy] of resourcesOfType(json, 'AWS::IAM::ManagedPolicy')) {
      for (const statement of (policy.Properties?.PolicyDocument as { Statement: { Action: unknown }[] })
        .Statement) {
        const actions = ([] as unknown[]).concat(statement.Action);
        expect(
          actions.filter((a) => String(a).includes('*')),
          id,
        ).toEqual([]);
      }
    }
    expect(resourcesOfType(json, 'AWS::IAM::Policy')).toEqual([]);
  });

  it('runs the topic handler on Node.js 24 arm64 inside the VPC', () => {
    const [, handler] = single(json, 'AWS::Lambda::Function', 'TransactionsTopicHandler');
    expect(handler.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    const vpcConfig = handler.Properties?.VpcConfig as { SecurityGroupIds: unknown[] };
    expect(resolveStackOutput(stage, vpcConfig.SecurityGroupIds[0]).logicalId).toMatch(
      /^LambdaSecurityGroup/,
    );
  });

  it('has no cdk-nag findings', () => {
    expect(globalStackNagFindings(stage, 'streaming')).toEqual([]);
  });
});

describe('streaming stack with the Transfer Family log server', () => {
  let result: CoreSynthResult;
  beforeAll(() => {
    result = synthCoreStacks('dev', { stageOverrides: { streaming: { useTransferFamily: true } } });
  });

  it('runs an SFTP-only server on a VPC endpoint in the private subnets with a modern policy and structured logs', () => {
    const json = result.template('streaming').toJSON();
    const [, server] = single(json, 'AWS::Transfer::Server');
    expect(server.Properties).toMatchObject({
      EndpointType: 'VPC',
      Protocols: ['SFTP'],
      Domain: 'S3',
      IdentityProviderType: 'SERVICE_MANAGED',
      SecurityPolicyName: 'TransferSecurityPolicy-2024-01',
    });
    expect(server.Properties?.StructuredLogDestinations).toHaveLength(1);
    const endpoint = JSON.stringify(server.Properties?.EndpointDetails);
    expect(endpoint).toContain('servicesSubnet');
    expect(endpoint).toContain('SftpSecurityGroup');
  });

  it('confines the connector user to the input directory of the landing bucket', () => {
    const json = result.template('streaming').toJSON();
    const [, user] = single(json, 'AWS::Transfer::User');
    expect(user.Properties).toMatchObject({ UserName: 'msk-connect-source', HomeDirectoryType: 'LOGICAL' });
    const roleId = String((user.Properties?.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]);
    const objects = roleStatements(json, roleId).find((s) => s.Sid === 'ReadAndMoveInputFiles');
    expect(JSON.stringify(objects?.Resource)).toContain('/transactions/incoming/*');
  });

  it('creates the connection secret encrypted with the pipeline key, without any credential in it', () => {
    const json = result.template('streaming').toJSON();
    const [, secret] = single(json, 'AWS::SecretsManager::Secret');
    expect(secret.Properties?.Name).toBe('dev/bankpipe/sftp-log-server');
    expect(secret.Properties?.KmsKeyId).toBeDefined();
    const value = JSON.stringify(secret.Properties?.SecretString);
    expect(value).toContain('msk-connect-source');
    expect(value).not.toMatch(/password|privateKey|BEGIN/i);
  });

  it('logs the source in with the private key from the secret', () => {
    const json = result.template('streaming').toJSON();
    const [, source] = single(json, 'AWS::KafkaConnect::Connector', 'SftpSource');
    const connectorConfig = source.Properties?.ConnectorConfiguration as Record<string, string>;
    expect(connectorConfig['sftp.private.key']).toBe(
      '${secretsmanager:dev%2Fbankpipe%2Fsftp-log-server:privateKey}',
    );
    expect(connectorConfig['sftp.password']).toBeUndefined();
  });

  it('has no cdk-nag findings', () => {
    expect(result.nagFindings).toEqual([]);
  });
});

describe('connector names', () => {
  const pluginDir = corePluginFixtureDir();
  const names = (overrides: Record<string, Record<string, unknown>> = {}) => {
    const { streaming } = buildCoreStacks('dev', { stageOverrides: overrides, pluginDistDir: pluginDir });
    return { source: streaming.sourceConnector.connectorName, sink: streaming.sinkConnector.connectorName };
  };

  it('stay the same when nothing changes and change only for the connector whose configuration changed', () => {
    const before = names();
    expect(names()).toEqual(before);
    const movedInput = names({ streaming: { sftpInputDir: '/transactions/other' } });
    expect(movedInput.source).not.toBe(before.source);
    expect(movedInput.sink).toBe(before.sink);
  });

  it('change when a plugin zip changes, since a connector cannot switch plugins in place', () => {
    const before = names();
    const rebuilt = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-dist-rebuilt-'));
    for (const file of fs.readdirSync(pluginDir)) {
      const content = fs.readFileSync(path.join(pluginDir, file));
      fs.writeFileSync(
        path.join(rebuilt, file),
        file.startsWith('s3-') ? Buffer.concat([content, Buffer.from('x')]) : content,
      );
    }
    const { streaming } = buildCoreStacks('dev', { pluginDistDir: rebuilt });
    expect(streaming.sourceConnector.connectorName).toBe(before.source);
    expect(streaming.sinkConnector.connectorName).not.toBe(before.sink);
  });
});

describe('plugin zips', () => {
  it('stops synth with the folder and the build command when a zip is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-dist-empty-'));
    expect(() => buildCoreStacks('dev', { pluginDistDir: empty })).toThrow(
      new RegExp(
        `sftp-jsonl-source-\\*\\.zip .* is missing from ${empty}: build them with connectors/build-plugins\\.sh`,
      ),
    );
  });

  it('stops synth when the folder does not exist', () => {
    expect(() => buildCoreStacks('dev', { pluginDistDir: '/nonexistent/plugin-dist' })).toThrow(
      /MSK Connect plugin folder \/nonexistent\/plugin-dist does not exist: build them with connectors\/build-plugins\.sh/,
    );
  });
});
