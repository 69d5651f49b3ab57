import { beforeAll, describe, expect, it } from 'vitest';
import { INTERNET_EGRESS_REASONS } from '../../../lib/network/network-stack';
import { resourcesOfType } from '../../helpers/cross-stack';
import { synthCoreStacks } from '../../helpers/synth-core-stacks';
import { loadTemplateJson, stackNames, TEST_STAGES } from '../../helpers/synth-pipeline';

type Rule = Record<string, unknown>;

/** One security-group rule that reaches or admits the whole internet. */
interface InternetRule {
  readonly stack: string;
  readonly group: string;
  readonly direction: 'ingress' | 'egress';
  readonly protocol: unknown;
  readonly ports: string;
  readonly description: unknown;
}

const isInternet = (rule: Rule): boolean => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';

/** The group a rule belongs to: the inline group's logical id or the standalone rule's GroupId. */
function groupOf(rule: Rule, inlineGroup: string | undefined): string {
  if (inlineGroup !== undefined) return inlineGroup;
  const groupId = rule.GroupId as { 'Fn::GetAtt'?: [string, string] } | string | undefined;
  return typeof groupId === 'object' && groupId['Fn::GetAtt']
    ? groupId['Fn::GetAtt'][0]
    : JSON.stringify(groupId);
}

/** Every rule to or from 0.0.0.0/0 or ::/0 in one template, inline and standalone. */
function internetRules(stack: string, template: Record<string, unknown>): InternetRule[] {
  const found: InternetRule[] = [];
  const add = (direction: InternetRule['direction'], rule: Rule, inlineGroup?: string): void => {
    if (!isInternet(rule)) return;
    found.push({
      stack,
      group: groupOf(rule, inlineGroup),
      direction,
      protocol: rule.IpProtocol,
      ports: `${String(rule.FromPort)}-${String(rule.ToPort)}`,
      description: rule.Description,
    });
  };
  for (const [id, group] of resourcesOfType(template, 'AWS::EC2::SecurityGroup')) {
    for (const rule of (group.Properties?.SecurityGroupIngress as Rule[] | undefined) ?? [])
      add('ingress', rule, id);
    for (const rule of (group.Properties?.SecurityGroupEgress as Rule[] | undefined) ?? [])
      add('egress', rule, id);
  }
  for (const [, rule] of resourcesOfType(template, 'AWS::EC2::SecurityGroupIngress')) {
    add('ingress', rule.Properties ?? {});
  }
  for (const [, rule] of resourcesOfType(template, 'AWS::EC2::SecurityGroupEgress')) {
    add('egress', rule.Properties ?? {});
  }
  return found;
}

/** The external SFTP log server: the one rule allowed to reach the internet, SSH only, from MSK Connect. */
const EXTERNAL_SFTP_RULE = {
  group: expect.stringMatching(/^MskConnectSecurityGroup/) as unknown,
  direction: 'egress',
  protocol: 'tcp',
  ports: '22-22',
  description: INTERNET_EGRESS_REASONS.externalSftpLogServer,
};

describe.each(TEST_STAGES)('security groups of every stack (%s)', (stage) => {
  const rules = stackNames(stage).flatMap((stack) =>
    internetRules(stack, loadTemplateJson(stage, stack.replace(`${stage}-bankpipe-`, ''))),
  );

  it('lists every rule that reaches the internet, each with a named reason', () => {
    // The allowed list with its reasons: anything else reaching 0.0.0.0/0 fails here.
    const reasons: string[] = Object.values(INTERNET_EGRESS_REASONS);
    for (const rule of rules) expect(reasons, JSON.stringify(rule)).toContain(rule.description);
    expect(rules).toEqual([expect.objectContaining(EXTERNAL_SFTP_RULE)]);
  });

  it('admits nothing from the internet', () => {
    expect(rules.filter((r) => r.direction === 'ingress')).toEqual([]);
  });
});

describe('security groups with a Transfer Family log server', () => {
  let rules: InternetRule[];
  beforeAll(() => {
    const result = synthCoreStacks('dev', { stageOverrides: { streaming: { useTransferFamily: true } } });
    rules = (['network', 'streaming'] as const).flatMap((part) =>
      internetRules(part, result.template(part).toJSON()),
    );
  });

  it('reach nothing on the internet: the log server is inside the VPC', () => {
    expect(rules).toEqual([]);
  });
});
