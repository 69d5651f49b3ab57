import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { NetworkStackProps } from './network-stack-props';

/** Security groups of every data service; the rules between them live here so stacks never reference each other in cycles. */
export interface PipelineSecurityGroups {
  readonly msk: ec2.ISecurityGroup;
  readonly mskConnect: ec2.ISecurityGroup;
  readonly emrPrimary: ec2.ISecurityGroup;
  readonly emrCore: ec2.ISecurityGroup;
  readonly emrServiceAccess: ec2.ISecurityGroup;
  readonly glue: ec2.ISecurityGroup;
  readonly redshift: ec2.ISecurityGroup;
  readonly lambda: ec2.ISecurityGroup;
  readonly sftp: ec2.ISecurityGroup;
}

/**
 * The VPC (2-3 AZs, private subnets for every data service), VPC endpoints for
 * the AWS APIs the jobs call, flow logs, and all security groups with the
 * traffic rules between them.
 */
export class NetworkStack extends Stack {
  readonly vpc!: ec2.IVpc;
  readonly securityGroups!: PipelineSecurityGroups;

  constructor(scope: Construct, id: string, props: NetworkStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
