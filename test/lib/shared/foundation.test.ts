import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadStageConfig } from '../../../lib/config';
import { FoundationStack } from '../../../lib/shared/foundation-stack';
import { globalStackNagFindings } from '../../helpers/cross-stack';
import { cdkJsonContext, loadTemplate, TEST_STAGES } from '../../helpers/synth-pipeline';

function foundationWith(context: Record<string, unknown>): Template {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  return Template.fromStack(new FoundationStack(app, 'foundation', { config }));
}

describe.each(TEST_STAGES)('foundation stack (%s)', (stage) => {
  const template = loadTemplate(stage, 'foundation');

  it('has one customer-managed key with rotation, a stage alias, and retained on delete', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/${stage}/bankpipe/data` });
  });

  it('lets CloudWatch Logs use the key only for log groups of this account and region', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
            Principal: { Service: 'logs.eu-central-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:eu-central-1:111111111111:log-group:*',
              },
            },
          }),
        ]),
      },
    });
  });

  it('lets alarms, EventBridge and S3 notifications use the key only from this account', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Principal: {
              Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com', 's3.amazonaws.com'],
            },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
  });

  it('encrypts the alerts topic with the key and refuses publishing without TLS', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ]),
      },
    });
  });

  it('has no cdk-nag findings', () => {
    expect(globalStackNagFindings(stage, 'foundation')).toEqual([]);
  });
});

describe('alert subscriptions', () => {
  it('subscribes the prod on-call mailbox from cdk.json', () => {
    loadTemplate('prod', 'foundation').hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'data-platform-oncall@example.com',
    });
  });

  it('subscribes nobody in dev unless an alarm email is passed', () => {
    loadTemplate('dev', 'foundation').resourceCountIs('AWS::SNS::Subscription', 0);
    foundationWith({ stage: 'dev', alarmEmail: 'dev-team@example.com' }).hasResourceProperties(
      'AWS::SNS::Subscription',
      { Protocol: 'email', Endpoint: 'dev-team@example.com' },
    );
  });
});

describe('removal policy', () => {
  it('schedules the key for deletion only with -c allowDestroy=true', () => {
    foundationWith({ stage: 'dev', allowDestroy: 'true' }).hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Delete',
    });
  });
});
