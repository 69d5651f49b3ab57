import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { loadStageConfig, type StageConfig } from '../../lib/config';
import { cdkJsonContext } from '../helpers/synth-pipeline';

/**
 * Minimal stand-ins for the resources other stacks provide (key, VPC, security
 * group), so orchestration/monitoring constructs can be synthesized alone while
 * the other stacks are still stubs.
 */
export interface StandIns {
  readonly app: App;
  readonly config: StageConfig;
  readonly shared: Stack;
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly lambdaSecurityGroup: ec2.ISecurityGroup;
}

export function createStandIns(stage: 'dev' | 'prod' = 'dev'): StandIns {
  const app = new App({ context: { ...cdkJsonContext(), stage } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const env = { account: '111111111111', region: 'eu-central-1' };
  const shared = new Stack(app, 'StandIns', { env });
  const dataKey = new kms.Key(shared, 'DataKey', { enableKeyRotation: true });
  // Imported, so the stand-ins add no resources (and no nag findings) of their own.
  const vpc = ec2.Vpc.fromVpcAttributes(shared, 'Vpc', {
    vpcId: 'vpc-0a1b2c3d4e5f60001',
    availabilityZones: ['eu-central-1a', 'eu-central-1b'],
    privateSubnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
    privateSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60011', 'rtb-0a1b2c3d4e5f60012'],
    isolatedSubnetIds: ['subnet-0a1b2c3d4e5f60021', 'subnet-0a1b2c3d4e5f60022'],
    isolatedSubnetRouteTableIds: ['rtb-0a1b2c3d4e5f60021', 'rtb-0a1b2c3d4e5f60022'],
  });
  const lambdaSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(
    shared,
    'LambdaSg',
    'sg-0a1b2c3d4e5f60031',
  );
  return { app, config, shared, dataKey, vpc, lambdaSecurityGroup };
}
