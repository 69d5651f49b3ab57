import { createHash } from 'node:crypto';
import { CfnResource, type Stack } from 'aws-cdk-lib';

/**
 * Per resource type, the properties whose change makes CloudFormation replace
 * the resource ("Update requires: Replacement" in the CloudFormation resource
 * reference), i.e. the ones that give it a new physical id, name or ARN. Only
 * types this app publishes across stacks are listed; any other type is
 * fingerprinted over all its properties, which is never wrong, only noisier.
 * KMS keys are listed for completeness: changing these properties fails the
 * update rather than replacing the key.
 */
export const REPLACEMENT_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::EC2::SecurityGroup': ['GroupDescription', 'GroupName', 'VpcId'],
  'AWS::EC2::Subnet': [
    'AvailabilityZone',
    'AvailabilityZoneId',
    'CidrBlock',
    'Ipv4IpamPoolId',
    'Ipv4NetmaskLength',
    'Ipv6Native',
    'OutpostArn',
    'VpcId',
  ],
  'AWS::EC2::VPC': ['CidrBlock', 'InstanceTenancy', 'Ipv4IpamPoolId', 'Ipv4NetmaskLength'],
  'AWS::EMR::SecurityConfiguration': ['Name', 'SecurityConfiguration'],
  'AWS::Glue::Crawler': ['Name'],
  'AWS::Glue::Job': ['Name'],
  'AWS::IAM::InstanceProfile': ['InstanceProfileName', 'Path'],
  'AWS::IAM::Role': ['RoleName', 'Path'],
  'AWS::KMS::Key': ['KeySpec', 'KeyUsage', 'MultiRegion', 'Origin'],
  'AWS::Lambda::Function': ['FunctionName', 'PackageType'],
  // ClusterName and EncryptionInfo.EncryptionAtRest replace the cluster; BrokerNodeGroupInfo is
  // listed whole because its ClientSubnets and SecurityGroups do, though its other fields update in place.
  'AWS::MSK::Cluster': ['BrokerNodeGroupInfo', 'ClusterName', 'EncryptionInfo'],
  'AWS::Logs::LogGroup': ['LogGroupName', 'LogGroupClass'],
  'AWS::RedshiftServerless::Workgroup': ['WorkgroupName', 'NamespaceName'],
  'AWS::S3::Bucket': ['BucketName'],
  'AWS::SNS::Topic': ['TopicName', 'FifoTopic'],
  'AWS::SQS::Queue': ['QueueName', 'FifoQueue'],
  'AWS::SecretsManager::Secret': ['Name'],
  'AWS::StepFunctions::StateMachine': ['StateMachineName', 'StateMachineType'],
};

interface RenderedResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/**
 * A short hash of what decides a resource's identity: its type, its
 * replacement properties as synthesized, and (followed through Ref and
 * Fn::GetAtt) those of the resources in the same stack they name, e.g. a
 * security group's VPC. Replacing the resource changes its physical id, and
 * replacing it takes a change to exactly these values, so the hash changes
 * whenever the id can.
 */
export function replacementFingerprint(stack: Stack, logicalId: string): string {
  const identity = identityOf(stack, logicalId, new Set());
  return createHash('sha256').update(stableJson(identity)).digest('hex').slice(0, 8).toUpperCase();
}

function identityOf(stack: Stack, logicalId: string, seen: Set<string>): unknown {
  seen.add(logicalId);
  const resource = resourceByLogicalId(stack, logicalId);
  if (resource === undefined) return { logicalId };
  const rendered = renderResource(stack, resource, logicalId);
  const replacing = REPLACEMENT_PROPERTIES[rendered.Type];
  const properties = rendered.Properties ?? {};
  const identity =
    replacing === undefined
      ? properties
      : Object.fromEntries(
          replacing.filter((name) => name in properties).map((name) => [name, properties[name]]),
        );
  const referenced = [...referencedLogicalIds(identity)]
    .filter((id) => !seen.has(id))
    .sort()
    .map((id) => ({ [id]: identityOf(stack, id, seen) }));
  return { type: rendered.Type, identity, referenced };
}

function resourceByLogicalId(stack: Stack, logicalId: string): CfnResource | undefined {
  return stack.node
    .findAll()
    .find(
      (construct): construct is CfnResource =>
        CfnResource.isCfnResource(construct) && stack.resolve(construct.logicalId) === logicalId,
    );
}

/**
 * The resource as it appears in the template, property overrides included.
 * `_toCloudFormation` is how the stack renders its own template; CfnResource
 * has no public way to read the rendered properties.
 */
function renderResource(stack: Stack, resource: CfnResource, logicalId: string): RenderedResource {
  const fragment = stack.resolve(
    (resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation(),
  ) as { Resources: Record<string, RenderedResource> };
  const rendered = fragment.Resources[logicalId];
  if (rendered === undefined) throw new Error(`${resource.node.path} did not render as ${logicalId}`);
  return rendered;
}

/** Logical ids named by Ref and Fn::GetAtt anywhere in a resolved value. */
function referencedLogicalIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((item) => referencedLogicalIds(item, found));
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (typeof record.Ref === 'string' && !record.Ref.startsWith('AWS::')) found.add(record.Ref);
    const getAtt = record['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') found.add(getAtt[0]);
    Object.values(record).forEach((item) => referencedLogicalIds(item, found));
  }
  return found;
}

/** JSON with object keys sorted, so equal values always hash alike. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
