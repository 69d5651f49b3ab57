import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { LIVE_ALERTS_PREFIX, stageResourcePrefix } from '../shared/pipeline-layout';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LIVE_ALERT_TABLES } from '../../lambda/live-alerts/aws-ports';
import { SERVICE_SUBNET_GROUP } from '../network/network-names';
import { dataRemovalPolicy } from '../shared/data-removal-policy';
import { skipCheckov } from '../shared/checkov';
import { acknowledgeWildcardResource, acknowledgeWildcardResources } from '../shared/nag-acknowledgements';
import { PipelineFunction, PipelineFunctionBaselinePolicy } from '../shared/pipeline-function';
import type { LiveAlertsConsumerProps } from './live-alerts-consumer-props';

export type { LiveAlertsConsumerProps } from './live-alerts-consumer-props';

/** Folder of the alerts archive in its bucket (Hive partitions `alert_date=YYYY-MM-DD/`). */
export const LIVE_ALERTS_ARCHIVE_PREFIX = LIVE_ALERTS_PREFIX;
/** Powertools service name of the consumer. */
export const LIVE_ALERTS_SERVICE = 'live-alerts';
/** Days an alert record stays in the alerts table (the archive keeps every alert for good). */
export const ALERT_RECORD_TTL_DAYS = 400;

/**
 * The live fraud-alert consumer: a Lambda fed by an MSK event source mapping
 * on the transactions topic, a card-state table and an alerts table
 * (DynamoDB, the pipeline key, point-in-time recovery, TTL), the analysts'
 * fraud-alerts topic (SNS, the pipeline key; ops alarms stay on the foundation
 * topic) and the queue where the event source leaves records it gave up on.
 *
 * Partial batch responses and bounded retries on a Kafka event source need
 * provisioned pollers (Lambda's "error handling controls for Kafka event
 * sources"), so the mapping runs in provisioned mode. It starts at LATEST: a
 * new consumer group alerts on what arrives from now on; the topic's past is
 * the hourly batch's job (its fraud report), and replaying days of it would page the
 * analysts about stale fraud.
 */
export class LiveAlertsConsumer extends Construct {
  readonly function: PipelineFunction;
  readonly stateTable: dynamodb.Table;
  readonly alertsTable: dynamodb.Table;
  readonly topic: sns.Topic;
  readonly onFailureQueue: sqs.Queue;
  readonly eventSourceMapping: lambda.EventSourceMapping;
  readonly consumerGroupId: string;

  constructor(scope: Construct, id: string, props: LiveAlertsConsumerProps) {
    super(scope, id);
    const { config, dataKey, cluster } = props;
    const liveAlerts = config.liveAlerts;
    const prefix = props.archivePrefix ?? LIVE_ALERTS_ARCHIVE_PREFIX;
    if (!prefix.endsWith('/') || prefix.startsWith('/')) {
      throw new Error(
        `LiveAlertsConsumer: archivePrefix '${prefix}' must be a folder like 'live_fraud_alerts/'`,
      );
    }
    const removalPolicy = dataRemovalPolicy(config);
    this.consumerGroupId = props.consumerGroupId ?? `${stageResourcePrefix(config.stage)}-live-alerts`;

    const table = (tableId: string, keys: { partitionKey: string; ttlAttribute: string }) =>
      new dynamodb.Table(this, tableId, {
        partitionKey: { name: keys.partitionKey, type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: dataKey,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: keys.ttlAttribute,
        deletionProtection: !config.allowDestroy,
        removalPolicy,
      });
    this.stateTable = table('CardState', LIVE_ALERT_TABLES.state);
    this.alertsTable = table('AlertRecords', LIVE_ALERT_TABLES.alerts);

    this.topic = new sns.Topic(this, 'FraudAlertsTopic', {
      displayName: `${config.stage} bank pipeline fraud alerts`,
      masterKey: dataKey,
      enforceSSL: true,
    });

    this.onFailureQueue = new sqs.Queue(this, 'OnFailureQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });

    Validations.of(this.onFailureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is itself a dead-letter destination: the MSK event source mapping's on-failure queue for records it gave up on after its retries",
    });

    this.function = new PipelineFunction(this, 'Consumer', {
      entry: 'lambda/live-alerts/handler.ts',
      description: `Raises fraud alerts from ${props.topicName} within seconds (MSK event source)`,
      serviceName: LIVE_ALERTS_SERVICE,
      config,
      dataKey,
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      memorySize: 512,
      timeout: Duration.minutes(1),
      // Invoked synchronously by the event source mapping, which keeps failed records on the topic
      // and finally sends them to the on-failure queue: an async DLQ would never receive anything.
      deadLetterQueue: false,
      environment: {
        STATE_TABLE: this.stateTable.tableName,
        ALERTS_TABLE: this.alertsTable.tableName,
        ALERTS_TOPIC_ARN: this.topic.topicArn,
        ARCHIVE_BUCKET: props.archiveBucket.bucketName,
        ARCHIVE_PREFIX: prefix,
        STATE_TTL_HOURS: String(liveAlerts.stateTtlHours),
        ALERT_TTL_DAYS: String(ALERT_RECORD_TTL_DAYS),
      },
    });
    const fn = this.function.function;
    const pollers = props.pollers ?? { minimum: 1, maximum: 2 };
    skipCheckov(
      fn,
      'CKV_AWS_115',
      `The event source bounds its concurrency: Lambda reads each partition in order and runs at most ${pollers.maximum} provisioned pollers; a reservation would come out of the account's unreserved pool (orchestration.reservedConcurrency explains why that can fail a deploy)`,
    );

    // The mapping itself, not ManagedKafkaEventSource: that helper attaches the AWS-managed
    // AWSLambdaMSKExecutionRole ("*" on every cluster) and a broad queue grant; the role gets
    // exactly the statements below instead.
    this.eventSourceMapping = new lambda.EventSourceMapping(this, 'TransactionsSource', {
      target: fn,
      eventSourceArn: cluster.clusterArn,
      kafkaTopic: props.topicName,
      kafkaConsumerGroupId: this.consumerGroupId,
      startingPosition: lambda.StartingPosition.LATEST,
      batchSize: props.batchSize ?? 100,
      maxBatchingWindow: Duration.seconds(liveAlerts.batchingWindowSeconds),
      provisionedPollerConfig: { minimumPollers: pollers.minimum, maximumPollers: pollers.maximum },
      reportBatchItemFailures: true,
      retryAttempts: liveAlerts.retryAttempts,
      bisectBatchOnError: false,
      onFailure: { bind: () => ({ destination: this.onFailureQueue.queueArn }) },
    });

    // Lambda checks the role's permissions when it creates the mapping: attach them first.
    this.eventSourceMapping.node.addDependency(
      this.function.role.permissionsPolicy,
      PipelineFunctionBaselinePolicy.of(this),
    );

    this.allowEventSource(props);
    this.allowStoresAndTopic(props, prefix);
  }

  /**
   * What the event source mapping does with the function's role: describe the
   * cluster and find its brokers, join the consumer group and read the topic
   * over IAM authentication, put its pollers' network interfaces in the
   * cluster's subnets with the cluster's security group (Lambda's MSK
   * permissions guide), and send records it gives up on to the queue.
   */
  private allowEventSource(props: LiveAlertsConsumerProps): void {
    const { cluster } = props;
    const role = this.function.role;
    // Topic and group ARNs carry the cluster's UUID, known only from its ARN in the streaming stack;
    // cutting it out of a cross-stack value is not valid CloudFormation here, so the UUID is a
    // wildcard. The cluster name, unique in the account and region, still pins them to this cluster.
    const kafkaArn = (kind: 'topic' | 'group', name: string): string =>
      Stack.of(this).formatArn({
        service: 'kafka',
        resource: kind,
        resourceName: `${cluster.clusterName}/*/${name}`,
      });
    const topicArn = kafkaArn('topic', props.topicName);
    const groupArn = kafkaArn('group', this.consumerGroupId);
    acknowledgeWildcardResources(role.permissionsPolicy, [
      {
        resource: topicArn,
        reason: `Only the ${props.topicName} topic of the cluster named ${cluster.clusterName}; the wildcard stands for the cluster UUID, which the streaming stack's ARN holds and a cross-stack value cannot be split for`,
      },
      {
        resource: groupArn,
        reason: `Only the ${this.consumerGroupId} consumer group of the cluster named ${cluster.clusterName}; the wildcard stands for the cluster UUID (see the topic statement)`,
      },
    ]);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConnectToTheCluster',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [cluster.clusterArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTheTransactionsTopic',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [topicArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'OwnConsumerGroup',
        actions: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
        resources: [groupArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'FindTheBrokers',
        actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
        resources: [cluster.clusterArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SendGivenUpRecordsToTheOnFailureQueue',
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
        resources: [this.onFailureQueue.queueArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeTheClusterNetwork',
        actions: ['ec2:DescribeVpcs', 'ec2:DescribeSecurityGroups'],
        resources: ['*'],
      }),
    );
    acknowledgeWildcardResource(
      role.permissionsPolicy,
      '*',
      'ec2:DescribeVpcs and ec2:DescribeSecurityGroups, which the MSK event source mapping calls to place its pollers, have no resource-level permissions; the network-interface and subnet describes are in the stack baseline policy',
    );
    const baseline = PipelineFunctionBaselinePolicy.of(this);
    baseline.allowNetworkInterfacesIn(
      props.vpc.selectSubnets(props.clusterSubnets ?? { subnetGroupName: SERVICE_SUBNET_GROUP }).subnets,
      props.clusterSecurityGroup,
    );
  }

  /** The function's own calls: card state, alerts, the archive prefix, the topic, and the key they are encrypted with. */
  private allowStoresAndTopic(props: LiveAlertsConsumerProps, prefix: string): void {
    const role = this.function.role;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadAndWriteCardState',
        // A batch's cards are read with BatchGetItem and written with TransactWriteItems, which IAM
        // authorises as the PutItem of each card; GetItem and PutItem alone serve a single card.
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.stateTable.tableArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RecordAlerts',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [this.alertsTable.tableArn],
      }),
    );
    const archiveObjects = props.archiveBucket.arnForObjects(`${prefix}*`);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ArchiveAlerts',
        actions: ['s3:PutObject'],
        resources: [archiveObjects],
      }),
    );
    acknowledgeWildcardResource(
      role.permissionsPolicy,
      archiveObjects,
      `The consumer writes one JSON-lines object per batch with new alerts under ${prefix}alert_date=<day>/; it may only put objects there`,
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PublishFraudAlerts',
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'UseThePipelineKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.dataKey.keyArn],
      }),
    );
  }
}
