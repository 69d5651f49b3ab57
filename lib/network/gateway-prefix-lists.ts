import { Aws, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeLookupFunction } from '../shared/aws-custom-resource-lookup';
import type { GatewayPrefixListsProps } from './gateway-prefix-lists-props';
import { ManagedPolicyRole } from '../shared/managed-policy-role';

export type { GatewayPrefixListsProps } from './gateway-prefix-lists-props';

/** The services with gateway VPC endpoints, by the suffix of their AWS-managed prefix-list name. */
export const GATEWAY_ENDPOINT_SERVICES = ['s3', 'dynamodb'] as const;
export type GatewayEndpointService = (typeof GATEWAY_ENDPOINT_SERVICES)[number];

/** Name of the AWS-managed prefix list of a gateway-endpoint service in the stack's region. */
export function awsManagedPrefixListName(service: GatewayEndpointService): string {
  return `com.amazonaws.${Aws.REGION}.${service}`;
}

/**
 * The AWS-managed prefix lists of S3 and DynamoDB in the deployment region, as
 * security-group peers: traffic to a gateway endpoint goes to the service's
 * public addresses, which these lists hold, so an egress rule to the list
 * allows exactly the endpoint path and nothing else on the internet.
 *
 * Their ids differ per region and account partition and CloudFormation cannot
 * declare or read an AWS-managed list (`AWS::EC2::PrefixList` creates customer
 * lists only), so a custom resource reads each id at deploy time with
 * `ec2:DescribeManagedPrefixLists`, filtered by the list's name. The lookup
 * runs CDK's AwsCustomResource Lambda, outside the VPC: it calls only the
 * regional EC2 API, which has no endpoint in this VPC and must work when the
 * VPC has no NAT gateway.
 */
export class GatewayPrefixLists extends Construct {
  private readonly ids = new Map<GatewayEndpointService, string>();

  constructor(scope: Construct, id: string, props: GatewayPrefixListsProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'LookupLogs', {
      encryptionKey: props.dataKey,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new ManagedPolicyRole(this, 'LookupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Reads the ids of the AWS-managed S3 and DynamoDB prefix lists at deploy time',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeManagedPrefixLists',
        actions: ['ec2:DescribeManagedPrefixLists'],
        resources: ['*'],
      }),
    );
    logGroup.grantWrite(role);
    Validations.of(role.permissionsPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeManagedPrefixLists is a read-only list action with no resource-level permissions; the lookup reads the ids of the AWS-managed S3 and DynamoDB prefix lists',
    });

    for (const service of GATEWAY_ENDPOINT_SERVICES) {
      const lookup: cr.AwsSdkCall = {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [awsManagedPrefixListName(service)] }] },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      };
      const resource = new cr.AwsCustomResource(this, `${service}Lookup`, {
        resourceType: 'Custom::AwsManagedPrefixList',
        onCreate: lookup,
        onUpdate: lookup,
        role: role.withoutPolicyUpdates(),
        logGroup,
        installLatestAwsSdk: false,
      });
      // Lambda needs the log and describe permissions when the lookup first runs.
      resource.node.addDependency(role.permissionsPolicy);
      this.ids.set(service, resource.getResponseField('PrefixLists.0.PrefixListId'));
    }
    acknowledgeLookupFunction(this, {
      lookup: 'prefix-list lookup',
      outsideVpc:
        'Deploy-time lookup of the AWS-managed prefix-list ids: it calls only the regional EC2 API (no EC2 endpoint in this VPC, and the VPC may have no NAT), touches no data and runs only when CloudFormation creates or updates the lookup',
      withoutVpcEndpoint:
        'Calls only the regional EC2 API (DescribeManagedPrefixLists), which has no endpoint in this VPC; it must work in a VPC without NAT',
    });
  }

  /** Security-group peer for the gateway endpoint of `service` (its AWS-managed prefix list). */
  peer(service: GatewayEndpointService): ec2.IPeer {
    return ec2.Peer.prefixList(this.prefixListId(service));
  }

  /** The prefix-list id, resolved at deploy time. */
  prefixListId(service: GatewayEndpointService): string {
    const found = this.ids.get(service);
    if (found === undefined) throw new Error(`GatewayPrefixLists: no lookup for '${service}'`);
    return found;
  }
}
