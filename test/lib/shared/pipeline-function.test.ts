import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PipelineFunction } from '../../../lib/shared/pipeline-function';
import { applyNagPacks } from '../../../lib/shared/nag';
import { createStandIns } from '../stand-ins';

function synthOne(): { template: Template; stack: Stack } {
  const standIns = createStandIns('dev');
  const stack = new Stack(standIns.app, 'FnStack', {
    env: { account: '111111111111', region: 'eu-central-1' },
  });
  new PipelineFunction(stack, 'Probe', {
    entry: 'lambda/start-run/handler.ts',
    description: 'probe',
    config: standIns.config,
    dataKey: standIns.dataKey,
    vpc: standIns.vpc,
    securityGroup: standIns.lambdaSecurityGroup,
  });
  applyNagPacks(standIns.app);
  standIns.app.synth();
  return { template: Template.fromStack(stack), stack };
}

describe('PipelineFunction', () => {
  const { template } = synthOne();

  it('runs Node 24 on arm64 with tracing, KMS-encrypted environment, in the VPC', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      KmsKeyArn: Match.anyValue(),
      // The network stack's 'services' group, not the (also private) warehouse subnets.
      VpcConfig: {
        SubnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
        SecurityGroupIds: ['sg-0a1b2c3d4e5f60031'],
      },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    });
  });

  it('has an encrypted log group with the stage retention and an encrypted DLQ', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 90,
      KmsKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  it('uses no inline policies and no AWS-managed policies', () => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles)) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
    }
  });
});
