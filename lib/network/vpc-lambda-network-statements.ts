import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** What a Lambda in a VPC needs to manage its own network interfaces. */
export interface VpcLambdaNetworkStatements {
  /**
   * Every network interface of the stack's account and region. Lambda creates the
   * interfaces, so their ids do not exist before: the policy must acknowledge this wildcard.
   */
  readonly networkInterfaces: string;
  /**
   * `ec2:CreateNetworkInterface` on {@link networkInterfaces}; add the subnets and
   * security groups the interfaces may be placed in with {@link interfacePlacementArns}.
   */
  readonly createInterfaces: iam.PolicyStatement;
  /** Create, manage and describe, in the order they go into the policy document. */
  readonly statements: iam.PolicyStatement[];
}

/**
 * The network-interface statements of a VPC Lambda's execution role. The
 * describe statement is on `Resource: *` (ec2:DescribeNetworkInterfaces and
 * ec2:DescribeSubnets have no resource-level permissions): the policy must
 * acknowledge that wildcard too.
 *
 * @param createInterfacesSid sid of the create statement, which names the subnets it is limited to
 */
export function vpcLambdaNetworkStatements(
  scope: IConstruct,
  createInterfacesSid: string,
): VpcLambdaNetworkStatements {
  const networkInterfaces = Stack.of(scope).formatArn({
    service: 'ec2',
    resource: 'network-interface',
    resourceName: '*',
  });
  const createInterfaces = new iam.PolicyStatement({
    sid: createInterfacesSid,
    actions: ['ec2:CreateNetworkInterface'],
    resources: [networkInterfaces],
  });
  return {
    networkInterfaces,
    createInterfaces,
    statements: [
      createInterfaces,
      new iam.PolicyStatement({
        sid: 'ManageOwnInterfaces',
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: [networkInterfaces],
      }),
      new iam.PolicyStatement({
        sid: 'DescribeNetwork',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
    ],
  };
}

/** ARNs of the subnets and the security group a function's network interfaces may be created with. */
export function interfacePlacementArns(
  scope: IConstruct,
  subnets: ec2.ISubnet[],
  securityGroup: ec2.ISecurityGroup,
): string[] {
  const stack = Stack.of(scope);
  return [
    ...subnets.map((subnet) =>
      stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: subnet.subnetId }),
    ),
    stack.formatArn({
      service: 'ec2',
      resource: 'security-group',
      resourceName: securityGroup.securityGroupId,
    }),
  ];
}
