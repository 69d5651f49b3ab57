import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { StageConfig } from '../config';
import type { MskCluster } from '../streaming/msk-cluster';

/**
 * Props of LiveAlertsConsumer. The batching window, the card-state TTL and the
 * retries come from `config.liveAlerts` (`batchingWindowSeconds`,
 * `stateTtlHours`, `retryAttempts`).
 */
export interface LiveAlertsConsumerProps {
  /** The validated stage config. */
  readonly config: StageConfig;
  /** Encrypts the tables, the topic, the on-failure queue, the function's environment and logs. */
  readonly dataKey: kms.IKey;
  /** The pipeline VPC; the function runs in its service subnets. */
  readonly vpc: ec2.IVpc;
  /** Security group of the function (the pipeline Lambdas' group: endpoints, S3 and DynamoDB only are used). */
  readonly securityGroup: ec2.ISecurityGroup;
  /**
   * Security group of the MSK cluster: Lambda's event pollers put their network
   * interfaces in the cluster's subnets with the cluster's group.
   */
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  /**
   * Subnets of the cluster's brokers (where the pollers' interfaces go).
   * @default the network stack's `services` subnet group
   */
  readonly clusterSubnets?: ec2.SubnetSelection;
  /** The MSK cluster (IAM authentication) holding the topic. */
  readonly cluster: MskCluster;
  /** Name of the transactions topic the consumer reads. */
  readonly topicName: string;
  /** Bucket of the alerts archive (JSON lines Athena reads). */
  readonly archiveBucket: s3.IBucket;
  /**
   * Key prefix of the archive in `archiveBucket`, a folder ending in '/'.
   * @default LIVE_ALERTS_ARCHIVE_PREFIX (zones.processed.liveAlertsPrefix of contracts/pipeline-layout.json, 'live_fraud_alerts/')
   */
  readonly archivePrefix?: string;
  /**
   * Kafka consumer group of the event source mapping; it cannot change after creation.
   * @default '<stage>-<slug>-live-alerts' (e.g. 'dev-bankpipe-live-alerts')
   */
  readonly consumerGroupId?: string;
  /**
   * Largest number of records per invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Provisioned event pollers (partial batch responses need provisioned mode).
   * @default { minimum: 1, maximum: 2 }
   */
  readonly pollers?: { readonly minimum: number; readonly maximum: number };
}
