import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { SERVICE_SUBNET_GROUP, WAREHOUSE_SUBNET_GROUP } from '../network/network-names';
import { acknowledgeWildcardResource } from './nag-acknowledgements';
import { interfacePlacementArns, vpcLambdaNetworkStatements } from '../network/vpc-lambda-network-statements';

/**
 * The network stack's subnet group for every data service (EMR, Glue, Lambdas): private, with NAT
 * egress or isolated depending on the stage.
 */
export const SERVICE_SUBNETS: ec2.SubnetSelection = { subnetGroupName: SERVICE_SUBNET_GROUP };
/** The network stack's isolated subnet group (no route out of the VPC) for the warehouse. */
export const WAREHOUSE_SUBNETS: ec2.SubnetSelection = { subnetGroupName: WAREHOUSE_SUBNET_GROUP };

export interface DeployTimeLambdaRoleProps {
  /** What the role's function does (role and policy descriptions). */
  readonly purpose: string;
  /** Log group the function writes to; the role may write to it and nowhere else. */
  readonly logGroup: logs.ILogGroup;
  /** The VPC subnets the function's network interfaces are created in. */
  readonly subnets: ec2.ISubnet[];
  /** The function's security group. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The function's own permissions. */
  readonly statements: iam.PolicyStatement[];
}

/**
 * The execution role of a deploy-time Lambda (custom resource handler, asset
 * copier) that runs in the VPC. Every permission lives in customer-managed
 * policies (PCI DSS IAMNoInlinePolicy rejects inline ones) and the role is
 * handed out as immutable (`role`), so constructs that grant themselves
 * extras (BucketDeployment, Provider) cannot add an inline DefaultPolicy:
 * what the function may do is exactly what is written here.
 */
export class DeployTimeLambdaRole extends Construct {
  /** The role to give to the Lambda (policy updates ignored). */
  readonly role: iam.IRole;
  /** The function's own permissions. */
  readonly policy: iam.ManagedPolicy;
  /** Logs and network interfaces: what any VPC Lambda needs. */
  readonly runtimePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: DeployTimeLambdaRoleProps) {
    super(scope, id);
    const mutableRole = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role: ${props.purpose}`.slice(0, 1000),
    });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Permissions: ${props.purpose}`.slice(0, 1000),
      statements: props.statements,
      roles: [mutableRole],
    });

    const network = vpcLambdaNetworkStatements(this, 'CreateInterfacesInDataSubnets');
    network.createInterfaces.addResources(
      ...interfacePlacementArns(this, props.subnets, props.securityGroup),
    );
    this.runtimePolicy = new iam.ManagedPolicy(this, 'RuntimePolicy', {
      description: `Logs and VPC network interfaces: ${props.purpose}`.slice(0, 1000),
      roles: [mutableRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'WriteOwnLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [props.logGroup.logGroupArn],
        }),
        ...network.statements,
      ],
    });
    Validations.of(this.runtimePolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource-level permissions; Lambda needs them to attach the ${props.purpose} function to the VPC`,
    });
    acknowledgeWildcardResource(
      this.runtimePolicy,
      network.networkInterfaces,
      `Lambda creates and deletes the ${props.purpose} function's network interfaces, whose ids do not exist before; creation is limited to the data subnets and the function's security group`,
    );
    this.role = mutableRole.withoutPolicyUpdates();
  }

  /** Acknowledges a `Resource::*` in the function's own policy, for an action that has no resource-level permissions. */
  acknowledgeResourceWildcard(reason: string): void {
    Validations.of(this.policy).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason });
  }

  /** Lambda validates the network-interface permissions when a function is created: attach the policies first. */
  mustExistBefore(fn: IConstruct): void {
    fn.node.addDependency(this.policy, this.runtimePolicy);
  }
}
