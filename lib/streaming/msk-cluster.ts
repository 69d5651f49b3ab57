import { Fn, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';

export interface MskClusterProps {
  /** Cluster name, unique in the account and region. */
  readonly clusterName: string;
  /** MSK Kafka version, e.g. '3.7.x'. */
  readonly kafkaVersion: string;
  /** Broker nodes; a multiple of the number of client subnets (one per AZ). */
  readonly brokerCount: number;
  /** Broker instance type, e.g. 'kafka.m7g.large'. */
  readonly instanceType: string;
  /** EBS volume per broker, GiB. */
  readonly volumeGiB: number;
  readonly vpc: ec2.IVpc;
  /** Private subnets, one per AZ: the brokers are spread over them. */
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Encrypts the broker volumes and the broker log group. */
  readonly dataKey: kms.IKey;
  /** Retention of the broker log group. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the broker log group. */
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * Broker settings (server.properties) on top of the ones this construct always sets
   * (`auto.create.topics.enable=false`).
   * @default none
   */
  readonly serverProperties?: Readonly<Record<string, string>>;
}

/**
 * A provisioned MSK cluster that only speaks SASL/IAM over TLS: no
 * unauthenticated or plaintext listener, TLS between brokers, volumes encrypted
 * with the pipeline key, broker logs to an encrypted log group, per-partition
 * metrics (consumer lag), no public access, and topics only created on purpose.
 */
export class MskCluster extends Construct {
  readonly cluster: msk.CfnCluster;
  readonly configuration: msk.CfnConfiguration;
  readonly brokerLogGroup: logs.LogGroup;
  readonly clusterName: string;
  readonly clusterArn: string;

  constructor(scope: Construct, id: string, props: MskClusterProps) {
    super(scope, id);
    const subnets = props.vpc.selectSubnets(props.subnets);
    if (props.brokerCount % subnets.subnets.length !== 0) {
      throw new Error(
        `MskCluster ${props.clusterName}: ${props.brokerCount} brokers cannot be spread over ${subnets.subnets.length} subnets; ` +
          'use a multiple of the number of availability zones',
      );
    }
    this.clusterName = props.clusterName;

    const serverProperties = {
      ...props.serverProperties,
      // Topics exist only when created on purpose (the topic custom resource), never by a typo in a client.
      'auto.create.topics.enable': 'false',
    };
    this.configuration = new msk.CfnConfiguration(this, 'Configuration', {
      name: `${props.clusterName}-brokers`,
      description: `Broker settings of ${props.clusterName}`,
      kafkaVersionsList: [props.kafkaVersion],
      serverProperties: Object.entries(serverProperties)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `${key}=${value}`)
        .join('\n'),
    });

    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogs', {
      encryptionKey: props.dataKey,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: props.brokerCount,
      brokerNodeGroupInfo: {
        instanceType: props.instanceType,
        clientSubnets: subnets.subnetIds,
        securityGroups: [props.securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: props.volumeGiB } },
        connectivityInfo: { publicAccess: { type: 'DISABLED' } },
      },
      clientAuthentication: {
        sasl: { iam: { enabled: true }, scram: { enabled: false } },
        tls: { enabled: false },
        unauthenticated: { enabled: false },
      },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: props.dataKey.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      configurationInfo: {
        arn: this.configuration.attrArn,
        revision: this.configuration.attrLatestRevisionRevision,
      },
      enhancedMonitoring: 'PER_TOPIC_PER_PARTITION',
      loggingInfo: {
        brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.brokerLogGroup.logGroupName } },
      },
    });
    this.clusterArn = this.cluster.attrArn;
  }

  /** The cluster's UUID, the last segment of its ARN (`.../cluster/<name>/<uuid>`). */
  get clusterUuid(): string {
    return Fn.select(2, Fn.split('/', this.clusterArn));
  }

  /** ARN of a topic of this cluster, for `kafka-cluster:*` IAM statements. */
  topicArn(topicName: string): string {
    return this.resourceArn('topic', topicName);
  }

  /** ARN of a consumer group of this cluster, for `kafka-cluster:*Group` IAM statements. */
  groupArn(groupName: string): string {
    return this.resourceArn('group', groupName);
  }

  private resourceArn(kind: 'topic' | 'group', name: string): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:kafka:${stack.region}:${stack.account}:${kind}/${this.clusterName}/${this.clusterUuid}/${name}`;
  }
}
