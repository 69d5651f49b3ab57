import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadStageConfig, type StageConfig } from '../../../lib/config';
import { LIVE_ALERTS_ARCHIVE_PREFIX } from '../../../lib/alerts/live-alerts-consumer';
import { PORTS } from '../../../lib/network/network-names';
import { cdkJsonContext, loadTemplate, TEST_OUT_ROOT } from '../../helpers/synth-pipeline';

/**
 * The live fraud-alert consumer as synthesized for prod (dev leaves it off):
 * the MSK event source mapping, its tables, topic and queue, the function's
 * role, and the network rules its pollers need.
 */

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string };

const STAGE = 'prod';
let template: Template;
let config: StageConfig;

beforeAll(() => {
  template = loadTemplate(STAGE, 'alerts');
  const context = cdkJsonContext();
  config = loadStageConfig((key) => (key === 'stage' ? STAGE : context[key]));
});

/** `Fn::GetStackOutput` of another stack, whatever the output's fingerprinted name. */
function outputOf(stack: string, outputPrefix: RegExp): object {
  return {
    'Fn::GetStackOutput': Match.objectLike({
      StackName: `${STAGE}-bankpipe-${stack}`,
      OutputName: Match.stringLikeRegexp(outputPrefix.source),
    }),
  };
}

function consumerStatements(): Statement[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const [, consumer] =
    Object.entries(policies).find(([id]) => id.startsWith('LiveAlertsConsumerRolePolicy')) ?? [];
  expect(consumer, 'the consumer role policy').toBeDefined();
  return (consumer as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties
    .PolicyDocument.Statement;
}

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('live-alerts event source mapping', () => {
  it('reads the transactions topic of the streaming cluster with IAM authentication, from LATEST', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: outputOf('streaming', /^PublishOutputFnGetAttKafkaCluster/),
      Topics: [config.streaming.topicName],
      StartingPosition: 'LATEST',
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `${STAGE}-bankpipe-live-alerts` },
      // IAM is the MSK default: no SASL/SCRAM or mTLS secret is configured.
      SourceAccessConfigurations: Match.absent(),
      MaximumBatchingWindowInSeconds: config.liveAlerts.batchingWindowSeconds,
    });
  });

  it('reports partial batch failures (which needs provisioned pollers), retries a bounded number of times, then gives up to the encrypted queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ProvisionedPollerConfig: { MinimumPollers: Match.anyValue(), MaximumPollers: Match.anyValue() },
      MaximumRetryAttempts: config.liveAlerts.retryAttempts,
      BisectBatchOnFunctionError: false,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LiveAlertsOnFailureQueue'), 'Arn'] },
        },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: outputOf('foundation', /^PublishOutputFnGetAttDataKey/),
    });
  });
});

describe('live-alerts tables and topic', () => {
  it('encrypts both tables with the pipeline key, keeps point-in-time recovery and expires items by TTL', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(2);
    for (const key of ['cardId', 'alertId']) {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: outputOf('foundation', /^PublishOutputFnGetAttDataKey/),
        },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    }
  });

  it('publishes to a fraud-alerts topic of its own, encrypted with the pipeline key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: outputOf('foundation', /^PublishOutputFnGetAttDataKey/),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          ALERTS_TOPIC_ARN: { Ref: Match.stringLikeRegexp('^LiveAlertsFraudAlertsTopic') },
          STATE_TTL_HOURS: String(config.liveAlerts.stateTtlHours),
          ARCHIVE_PREFIX: LIVE_ALERTS_ARCHIVE_PREFIX,
        }),
      },
    });
  });
});

describe('live-alerts role', () => {
  it('has no AWS-managed policy (not AWSLambdaMSKExecutionRole) and no wildcard action', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      const managed = JSON.stringify(role.Properties?.ManagedPolicyArns ?? []);
      expect(managed).not.toMatch(/iam::aws:policy/);
    }
    for (const statement of consumerStatements()) {
      for (const action of actionsOf(statement)) expect(action, statement.Sid).not.toMatch(/\*/);
    }
  });

  it('reaches Kafka only on the cluster, the transactions topic and its own consumer group', () => {
    const kafka = consumerStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('kafka')));
    const byResource = Object.fromEntries(
      kafka.map((s) => [s.Sid, { actions: actionsOf(s).sort(), resource: JSON.stringify(s.Resource) }]),
    );
    expect(byResource.ConnectToTheCluster?.actions).toEqual([
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeClusterDynamicConfiguration',
    ]);
    expect(byResource.FindTheBrokers?.actions).toEqual([
      'kafka:DescribeClusterV2',
      'kafka:GetBootstrapBrokers',
    ]);
    for (const sid of ['ConnectToTheCluster', 'FindTheBrokers']) {
      expect(byResource[sid]?.resource).toMatch(/PublishOutputFnGetAttKafkaCluster/);
      expect(byResource[sid]?.resource).not.toMatch(/\*/);
    }
    expect(byResource.ReadTheTransactionsTopic?.actions).toEqual([
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:ReadData',
    ]);
    // The cluster's UUID is the only wildcard: the cluster name, the topic and the group are exact.
    expect(byResource.ReadTheTransactionsTopic?.resource).toContain(
      `:topic/${STAGE}-bankpipe/*/${config.streaming.topicName}"`,
    );
    expect(byResource.OwnConsumerGroup?.resource).toContain(
      `:group/${STAGE}-bankpipe/*/${STAGE}-bankpipe-live-alerts"`,
    );
    // Nothing else of Kafka: no write, no other topic or group.
    expect(Object.keys(byResource).sort()).toEqual([
      'ConnectToTheCluster',
      'FindTheBrokers',
      'OwnConsumerGroup',
      'ReadTheTransactionsTopic',
    ]);
  });

  it('writes only its two tables, the archive prefix, its topic and its queue; "*" only for the two EC2 describes', () => {
    const statements = consumerStatements();
    const wildcard = statements.filter((s) => s.Resource === '*');
    expect(wildcard.map((s) => actionsOf(s).sort())).toEqual([
      ['ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'],
    ]);
    const archive = statements.find((s) => s.Sid === 'ArchiveAlerts');
    expect(archive?.Action).toBe('s3:PutObject');
    expect(JSON.stringify(archive?.Resource)).toContain(`/${LIVE_ALERTS_ARCHIVE_PREFIX}*`);
    const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
  });
});

describe('live-alerts network', () => {
  it('runs the function in the VPC with the Lambda security group, and opens nothing to the internet', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SecurityGroupIds: [outputOf('network', /^PublishOutputFnGetAttLambdaSecurityGroup/)] },
    });
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('0.0.0.0/0');
    expect(json).not.toContain('::/0');
  });

  it("lets the pollers' interfaces use the cluster's security group: self-referencing on the IAM listener, HTTPS to the endpoints", () => {
    const network = loadTemplate(STAGE, 'network');
    const mskGroup = { 'Fn::GetAtt': [Match.stringLikeRegexp('^MskSecurityGroup'), 'GroupId'] };
    network.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: mskGroup,
      SourceSecurityGroupId: mskGroup,
      FromPort: PORTS.mskIam,
      ToPort: PORTS.mskIam,
    });
    network.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: mskGroup,
      DestinationSecurityGroupId: mskGroup,
      FromPort: PORTS.mskIam,
      ToPort: PORTS.mskIam,
    });
    network.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: mskGroup,
      DestinationSecurityGroupId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointSecurityGroup'), 'GroupId'],
      },
      FromPort: PORTS.https,
    });
  });
});

describe('stages without live alerts', () => {
  it('dev (liveAlerts.enabled false) synthesizes no alerts stack', () => {
    expect(fs.existsSync(path.join(TEST_OUT_ROOT, 'dev', 'dev-bankpipe-alerts.template.json'))).toBe(false);
    expect(fs.existsSync(path.join(TEST_OUT_ROOT, STAGE, `${STAGE}-bankpipe-alerts.template.json`))).toBe(
      true,
    );
  });
});
