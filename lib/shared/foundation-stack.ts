import { Duration } from 'aws-cdk-lib';
import { PROJECT_SLUG } from './pipeline-layout';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { dataRemovalPolicy } from './data-removal-policy';
import type { FoundationStackProps } from './foundation-stack-props';
import { PipelineStack } from './pipeline-stack';

/**
 * The customer-managed KMS key (rotation on) that encrypts every data store,
 * log group and topic of the pipeline, and the SNS topic alarms and run
 * failures are sent to. Everything else depends on this stack.
 */
export class FoundationStack extends PipelineStack {
  readonly dataKey: kms.IKey;
  readonly alertsTopic: sns.ITopic;
  /** Alias of the data key, `alias/<stage>/<slug>/data` (contracts/pipeline-layout.json). */
  readonly dataKeyAliasName: string;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.dataKeyAliasName = `alias/${config.stage}/${PROJECT_SLUG}/data`;
    const dataKey = new kms.Key(this, 'DataKey', {
      description: `Encrypts the ${config.stage} bank transaction pipeline's data, logs and topics`,
      enableKeyRotation: true,
      alias: this.dataKeyAliasName,
      pendingWindow: Duration.days(30),
      removalPolicy: dataRemovalPolicy(config),
    });
    this.allowServicePrincipals(dataKey);
    this.dataKey = dataKey;

    const alertsTopic = new sns.Topic(this, 'AlertsTopic', {
      displayName: `${config.stage} bank pipeline alerts`,
      masterKey: dataKey,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default policy, so the services that publish
    // alarms and run failures must be allowed explicitly (same account only).
    alertsTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmAndEventPublishingFromThisAccount',
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
        ],
        actions: ['sns:Publish'],
        resources: [alertsTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (config.monitoring.alarmEmail) {
      alertsTopic.addSubscription(new subscriptions.EmailSubscription(config.monitoring.alarmEmail));
    }
    this.alertsTopic = alertsTopic;
  }

  /**
   * Key-policy grants for AWS services that encrypt with the key on the
   * pipeline's behalf. IAM roles of this account are trusted through the
   * default account statement; services acting as themselves need these.
   */
  private allowServicePrincipals(key: kms.Key): void {
    // CloudWatch Logs encrypts log groups (flow logs, broker logs, Lambda logs)
    // only for log groups of this account and region.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms, EventBridge rules and S3 event notifications publish to
    // the KMS-encrypted alerts topic and queues; they need the data key for that.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmsEventsAndNotificationsToEncryptedTopicsAndQueues',
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('s3.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
  }
}
