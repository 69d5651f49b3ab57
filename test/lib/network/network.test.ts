import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { globalStackNagFindings, resourcesOfType } from '../../helpers/cross-stack';
import { synthCoreStacks, type CoreSynthResult } from '../../helpers/synth-core-stacks';
import { endpointAzCountOf, interfaceEndpointsOf, loadStageConfig } from '../../../lib/config';
import { cdkJsonContext, loadTemplate, loadTemplateJson, TEST_STAGES } from '../../helpers/synth-pipeline';

/**
 * The VPC of each stage. Which interface endpoints it has, and in how many zones, is the stage
 * config's (lib/config/interface-endpoints.ts, whose tests cover the lists): the template must
 * carry exactly those.
 */
const EXPECTED = {
  dev: { cidr: '10.40.0.0/16', azs: 3, natGateways: 0 },
  prod: { cidr: '10.41.0.0/16', azs: 3, natGateways: 3 },
} as const;

/** Logical id of the security group whose id starts with the given construct id. */
function securityGroupId(template: Template, constructId: string): string {
  const ids = Object.keys(template.findResources('AWS::EC2::SecurityGroup')).filter((id) =>
    id.startsWith(constructId),
  );
  expect(ids, `one security group ${constructId}`).toHaveLength(1);
  return ids[0] as string;
}

function groupRef(logicalId: string): unknown {
  return { 'Fn::GetAtt': [logicalId, 'GroupId'] };
}

describe.each(TEST_STAGES)('network stack (%s)', (stage) => {
  const template = loadTemplate(stage, 'network');
  const json = loadTemplateJson(stage, 'network');
  const expected = EXPECTED[stage];
  const config = loadStageConfig((key) => (key === 'stage' ? stage : cdkJsonContext()[key]));

  it('spans the configured CIDR over the configured number of AZs, without a context lookup', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: expected.cidr });
    const services = resourcesOfType(json, 'AWS::EC2::Subnet').filter(([id]) => id.startsWith('Vpcservices'));
    expect(services).toHaveLength(expected.azs);
    expect(services.map(([, s]) => s.Properties?.AvailabilityZone)).toEqual(
      Array.from({ length: expected.azs }, (_, i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })),
    );
  });

  it('has private service subnets, isolated warehouse subnets and public subnets only for NAT', () => {
    const subnetType = (prefix: string) =>
      resourcesOfType(json, 'AWS::EC2::Subnet')
        .filter(([id]) => id.startsWith(prefix))
        .map(
          ([, s]) =>
            (s.Properties?.Tags as { Key: string; Value: string }[]).find(
              (t) => t.Key === 'aws-cdk:subnet-type',
            )?.Value,
        );
    const withNat = expected.natGateways > 0;
    expect(subnetType('Vpcservices')).toEqual(Array(expected.azs).fill(withNat ? 'Private' : 'Isolated'));
    expect(subnetType('Vpcwarehouse')).toEqual(Array(expected.azs).fill('Isolated'));
    expect(subnetType('Vpcpublic')).toEqual(withNat ? Array(expected.azs).fill('Public') : []);
    for (const [, subnet] of resourcesOfType(json, 'AWS::EC2::Subnet')) {
      expect(subnet.Properties?.MapPublicIpOnLaunch).toBe(false);
    }
    template.resourceCountIs('AWS::EC2::NatGateway', expected.natGateways);
    // Only the public subnets route to the internet gateway.
    const igwRoutes = resourcesOfType(json, 'AWS::EC2::Route').filter(([, r]) => r.Properties?.GatewayId);
    expect(igwRoutes.map(([id]) => id).every((id) => id.startsWith('Vpcpublic'))).toBe(true);
    expect(igwRoutes).toHaveLength(withNat ? expected.azs : 0);
  });

  it('logs all traffic to a KMS-encrypted log group kept 365 days', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 365, KmsKeyId: Match.anyValue() },
      DeletionPolicy: 'Retain',
    });
  });

  it('has gateway endpoints for S3 and DynamoDB and private-DNS interface endpoints for the APIs the jobs call', () => {
    const endpoints = resourcesOfType(json, 'AWS::EC2::VPCEndpoint');
    const gateways = endpoints.filter(([, e]) => e.Properties?.VpcEndpointType === 'Gateway');
    expect(gateways.map(([, e]) => JSON.stringify(e.Properties?.ServiceName)).sort()).toEqual([
      expect.stringContaining('.dynamodb'),
      expect.stringContaining('.s3'),
    ]);
    const interfaces = endpoints.filter(([, e]) => e.Properties?.VpcEndpointType === 'Interface');
    expect(
      interfaces
        .map(([, e]) => String(e.Properties?.ServiceName).replace('com.amazonaws.eu-central-1.', ''))
        .sort(),
    ).toEqual([...interfaceEndpointsOf(config.network, config.warehouse.kind)].sort());
    for (const [, endpoint] of interfaces) {
      expect(endpoint.Properties?.PrivateDnsEnabled).toBe(true);
      expect(endpoint.Properties?.SubnetIds).toHaveLength(endpointAzCountOf(config.network));
    }
  });

  it('closes the default security group', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  it('admits HTTPS to the interface endpoints only from the service groups that call AWS APIs', () => {
    const endpointGroup = securityGroupId(template, 'EndpointSecurityGroup');
    const inline = template.toJSON().Resources[endpointGroup].Properties.SecurityGroupIngress as unknown;
    expect(inline, 'no CIDR-wide ingress').toBeUndefined();
    const sources = resourcesOfType(json, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties ?? {})
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify(groupRef(endpointGroup)))
      .map((p) => [p.FromPort, p.ToPort, p.SourceSecurityGroupId]);
    // The MSK group too where live alerts run: their MSK event source pollers carry it.
    const pollers = config.liveAlerts.enabled;
    const clients = [
      'MskConnect',
      'Lambda',
      'Glue',
      'Redshift',
      'EmrPrimary',
      'EmrCore',
      ...(pollers ? ['Msk'] : []),
    ];
    expect(sources).toHaveLength(clients.length);
    expect(sources).toEqual(
      expect.arrayContaining(
        clients.map((c) => [443, 443, groupRef(securityGroupId(template, `${c}SecurityGroup`))]),
      ),
    );
  });

  it('reaches AWS APIs only through the endpoints: HTTPS to the endpoint group and to the S3/DynamoDB prefix lists', () => {
    const endpointGroup = groupRef(securityGroupId(template, 'EndpointSecurityGroup'));
    const lookups = resourcesOfType(json, 'Custom::AwsManagedPrefixList');
    const lookupOf = (service: string): string => {
      const found = lookups.filter(([, r]) =>
        JSON.stringify(r.Properties?.Create).includes(`.${service}\\"`),
      );
      expect(found, `one lookup of the ${service} prefix list`).toHaveLength(1);
      return (found[0] as [string, unknown])[0];
    };
    const prefixList = (service: string): unknown => ({
      'Fn::GetAtt': [lookupOf(service), 'PrefixLists.0.PrefixListId'],
    });
    const httpsEgressOf = (constructId: string): unknown[] =>
      resourcesOfType(json, 'AWS::EC2::SecurityGroupEgress')
        .map(([, r]) => r.Properties ?? {})
        .filter(
          (p) =>
            JSON.stringify(p.GroupId) === JSON.stringify(groupRef(securityGroupId(template, constructId))) &&
            p.FromPort === 443,
        )
        .map((p) => p.DestinationSecurityGroupId ?? p.DestinationPrefixListId ?? p.CidrIp);
    const s3Users = ['MskConnect', 'Glue', 'Redshift', 'EmrPrimary', 'EmrCore'];
    for (const user of s3Users) {
      expect(httpsEgressOf(`${user}SecurityGroup`), user).toEqual(
        expect.arrayContaining([endpointGroup, prefixList('s3')]),
      );
      expect(httpsEgressOf(`${user}SecurityGroup`), user).toHaveLength(2);
    }
    expect(httpsEgressOf('LambdaSecurityGroup')).toEqual(
      expect.arrayContaining([endpointGroup, prefixList('s3'), prefixList('dynamodb')]),
    );
    expect(httpsEgressOf('LambdaSecurityGroup')).toHaveLength(3);
  });

  it('looks up the prefix-list ids by their AWS-managed names in the deployment region, with a describe-only role', () => {
    const calls = resourcesOfType(json, 'Custom::AwsManagedPrefixList').map(([, r]) =>
      JSON.stringify(r.Properties?.Create),
    );
    expect(calls).toHaveLength(2);
    for (const service of ['s3', 'dynamodb']) {
      expect(
        calls.some((c) => c.includes('describeManagedPrefixLists') && c.includes(`.${service}\\"`)),
      ).toBe(true);
    }
    for (const call of calls) expect(call).toContain('{"Ref":"AWS::Region"}');
    const lookupPolicy = resourcesOfType(json, 'AWS::IAM::ManagedPolicy').filter(([id]) =>
      id.startsWith('GatewayPrefixListsLookupRole'),
    );
    expect(lookupPolicy).toHaveLength(1);
    const statements = (
      lookupPolicy[0]?.[1].Properties?.PolicyDocument as { Statement: { Action: string | string[] }[] }
    ).Statement;
    expect(statements.flatMap((st) => st.Action)).toEqual([
      'ec2:DescribeManagedPrefixLists',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('opens the MSK IAM/TLS port only to MSK Connect and the Lambdas', () => {
    const msk = securityGroupId(template, 'MskSecurityGroup');
    const ingress = resourcesOfType(json, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => JSON.stringify(r.Properties?.GroupId) === JSON.stringify(groupRef(msk)),
    );
    expect(ingress.map(([, r]) => [r.Properties?.FromPort, r.Properties?.SourceSecurityGroupId])).toEqual(
      expect.arrayContaining([
        [9098, groupRef(securityGroupId(template, 'MskConnectSecurityGroup'))],
        [9098, groupRef(securityGroupId(template, 'LambdaSecurityGroup'))],
      ]),
    );
    // Plus the cluster's own group where live alerts' MSK event source pollers run.
    const pollers = config.liveAlerts.enabled;
    expect(ingress).toHaveLength(pollers ? 3 : 2);
  });

  it('opens Redshift 5439 to Glue and the Lambdas, SFTP 22 to MSK Connect', () => {
    const ingressTo = (groupId: string) =>
      resourcesOfType(json, 'AWS::EC2::SecurityGroupIngress')
        .filter(([, r]) => JSON.stringify(r.Properties?.GroupId) === JSON.stringify(groupRef(groupId)))
        .map(([, r]) => [r.Properties?.FromPort, r.Properties?.ToPort, r.Properties?.SourceSecurityGroupId]);
    expect(ingressTo(securityGroupId(template, 'RedshiftSecurityGroup'))).toEqual(
      expect.arrayContaining([
        [5439, 5439, groupRef(securityGroupId(template, 'GlueSecurityGroup'))],
        [5439, 5439, groupRef(securityGroupId(template, 'LambdaSecurityGroup'))],
      ]),
    );
    expect(ingressTo(securityGroupId(template, 'SftpSecurityGroup'))).toEqual([
      [22, 22, groupRef(securityGroupId(template, 'MskConnectSecurityGroup'))],
    ]);
    const glue = securityGroupId(template, 'GlueSecurityGroup');
    expect(ingressTo(glue)).toContainEqual([0, 65535, groupRef(glue)]);
  });

  it('has the EMR private-subnet rules between the managed security groups', () => {
    const primary = securityGroupId(template, 'EmrPrimarySecurityGroup');
    const core = securityGroupId(template, 'EmrCoreSecurityGroup');
    const serviceAccess = securityGroupId(template, 'EmrServiceAccessSecurityGroup');
    const rule = (type: string, group: string, port: number, other: string, otherKey: string) =>
      template.hasResourceProperties(type, {
        GroupId: groupRef(group),
        FromPort: port,
        ToPort: port,
        [otherKey]: groupRef(other),
      });
    rule('AWS::EC2::SecurityGroupIngress', serviceAccess, 9443, primary, 'SourceSecurityGroupId');
    rule('AWS::EC2::SecurityGroupIngress', primary, 8443, serviceAccess, 'SourceSecurityGroupId');
    rule('AWS::EC2::SecurityGroupIngress', core, 8443, serviceAccess, 'SourceSecurityGroupId');
    rule('AWS::EC2::SecurityGroupEgress', serviceAccess, 8443, primary, 'DestinationSecurityGroupId');
    rule('AWS::EC2::SecurityGroupEgress', serviceAccess, 8443, core, 'DestinationSecurityGroupId');
  });

  it('tags the service subnets and EMR security groups for the EMR v2 managed policy', () => {
    const tagged = (resource: { Properties?: Record<string, unknown> }) =>
      ((resource.Properties?.Tags as { Key: string; Value: string }[] | undefined) ?? []).some(
        (t) => t.Key === 'for-use-with-amazon-emr-managed-policies' && t.Value === 'true',
      );
    const services = resourcesOfType(json, 'AWS::EC2::Subnet').filter(([id]) => id.startsWith('Vpcservices'));
    expect(services.filter(([, s]) => !tagged(s)).map(([id]) => id)).toEqual([]);
    const emrGroups = resourcesOfType(json, 'AWS::EC2::SecurityGroup').filter(([id]) => id.startsWith('Emr'));
    expect(emrGroups).toHaveLength(3);
    expect(emrGroups.filter(([, g]) => !tagged(g)).map(([id]) => id)).toEqual([]);
    const others = resourcesOfType(json, 'AWS::EC2::SecurityGroup').filter(([id]) => !id.startsWith('Emr'));
    expect(others.filter(([, g]) => tagged(g)).map(([id]) => id)).toEqual([]);
  });

  it('describes every rule, admits nothing from the internet and never allows "all traffic"', () => {
    const rules = [
      ...resourcesOfType(json, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties ?? {}),
      ...resourcesOfType(json, 'AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties ?? {}),
      ...resourcesOfType(json, 'AWS::EC2::SecurityGroup').flatMap(([, g]) => [
        ...((g.Properties?.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? []),
        ...((g.Properties?.SecurityGroupEgress as Record<string, unknown>[] | undefined) ?? []),
      ]),
    ];
    expect(rules.length).toBeGreaterThan(30);
    for (const rule of rules) {
      expect(rule.Description, JSON.stringify(rule)).toEqual(expect.stringMatching(/\S{3,}/));
      expect(rule.IpProtocol, JSON.stringify(rule)).not.toBe('-1');
    }
    const openIngress = resourcesOfType(json, 'AWS::EC2::SecurityGroup')
      .flatMap(([, g]) => (g.Properties?.SecurityGroupIngress as { CidrIp?: string }[] | undefined) ?? [])
      .filter((r) => r.CidrIp === '0.0.0.0/0');
    expect(openIngress).toEqual([]);
  });

  it('has no cdk-nag findings', () => {
    expect(globalStackNagFindings(stage, 'network')).toEqual([]);
  });
});

describe('network stack without NAT gateways', () => {
  let result: CoreSynthResult;
  beforeAll(() => {
    result = synthCoreStacks('dev', { stageOverrides: { network: { natGateways: 0 } } });
  });

  it('has no public subnets, NAT or internet route; services run in isolated subnets reaching AWS through endpoints', () => {
    const template = result.template('network');
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    const json = template.toJSON();
    const services = resourcesOfType(json, 'AWS::EC2::Subnet').filter(([id]) => id.startsWith('Vpcservices'));
    expect(services).toHaveLength(3);
    for (const [, subnet] of services) {
      expect(subnet.Properties?.Tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Isolated' });
    }
    expect(resourcesOfType(json, 'AWS::EC2::Subnet').some(([id]) => id.startsWith('Vpcpublic'))).toBe(false);
  });

  it('still synthesizes the core stacks without cdk-nag findings', () => {
    expect(result.nagFindings).toEqual([]);
  });
});

describe.each([
  ['zone IDs', ['euc1-az2', 'euc1-az3', 'euc1-az1'], 'AvailabilityZoneId', 'AvailabilityZone'],
  [
    'zone names',
    ['eu-central-1b', 'eu-central-1c', 'eu-central-1a'],
    'AvailabilityZone',
    'AvailabilityZoneId',
  ],
] as const)('network stack placed by %s (network.availabilityZones)', (_kind, zones, placedBy, absent) => {
  let result: CoreSynthResult;
  beforeAll(() => {
    result = synthCoreStacks('dev', { stageOverrides: { network: { availabilityZones: [...zones] } } });
  });

  it(`puts subnet N of every group in the N-th listed zone by ${placedBy}`, () => {
    const subnets = resourcesOfType(result.template('network').toJSON(), 'AWS::EC2::Subnet');
    // Services and warehouse subnets in every zone, plus public ones when the stage has NAT gateways.
    const groups = result.config.network.natGateways > 0 ? 3 : 2;
    expect(subnets).toHaveLength(3 * groups);
    for (const [logicalId, subnet] of subnets) {
      const index = Number(/Subnet(\d)Subnet/.exec(logicalId)?.[1]) - 1;
      expect(subnet.Properties?.[placedBy], logicalId).toBe(zones[index]);
      expect(subnet.Properties, logicalId).not.toHaveProperty(absent);
    }
  });

  it('asks CloudFormation for no zone list and still synthesizes the core stacks without cdk-nag findings', () => {
    expect(JSON.stringify(result.template('network').toJSON())).not.toContain('Fn::GetAZs');
    expect(result.nagFindings).toEqual([]);
  });
});
