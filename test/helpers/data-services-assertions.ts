import { Matcher, MatchResult, type Template } from 'aws-cdk-lib/assertions';

interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
  Sid?: string;
}

/** Every Allow statement of the template's customer-managed and inline policies, with the policy's logical id. */
export function allowStatements(template: Template): (PolicyStatementJson & { policy: string })[] {
  const found: (PolicyStatementJson & { policy: string })[] = [];
  for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']) {
    for (const [logicalId, resource] of Object.entries(template.findResources(type))) {
      const document = (resource as { Properties: { PolicyDocument: { Statement: PolicyStatementJson[] } } })
        .Properties.PolicyDocument;
      for (const statement of document.Statement) {
        if (statement.Effect === 'Allow') found.push({ ...statement, policy: logicalId });
      }
    }
  }
  return found;
}

export function actionsOf(statement: { Action: string | string[] }): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Every action with a wildcard that an Allow statement of the stack grants (least privilege wants none). */
export function wildcardActions(template: Template): string[] {
  return allowStatements(template).flatMap((s) => actionsOf(s).filter((a) => a.includes('*')));
}

/** The statements of one managed policy, found by the start of its logical id. */
export function statementsOfPolicy(template: Template, logicalIdPrefix: string): PolicyStatementJson[] {
  const matches = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) =>
    id.startsWith(logicalIdPrefix),
  );
  if (matches.length !== 1) {
    throw new Error(
      `expected one managed policy whose logical id starts with ${logicalIdPrefix}, found ${matches.length}`,
    );
  }
  const resource = matches[0]?.[1] as {
    Properties: { PolicyDocument: { Statement: PolicyStatementJson[] } };
  };
  return resource.Properties.PolicyDocument.Statement;
}

/** The one resource of a type whose logical id starts with a prefix. */
export function resourceOf(
  template: Template,
  type: string,
  logicalIdPrefix = '',
): { logicalId: string; resource: CfnResourceJson } {
  const matches = Object.entries(template.findResources(type)).filter(([id]) =>
    id.startsWith(logicalIdPrefix),
  );
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} whose logical id starts with '${logicalIdPrefix}', found ${matches.length}`,
    );
  }
  const [logicalId, resource] = matches[0] as [string, CfnResourceJson];
  return { logicalId, resource };
}

export interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string[];
}

/** The statement with this Sid; fails the test with the Sids present when it is missing. */
export function statementWithSid<T extends { Sid?: string }>(statements: T[], sid: string): T {
  const found = statements.find((s) => s.Sid === sid);
  if (found === undefined) {
    throw new Error(
      `no statement with Sid ${sid}; the policy has ${statements.map((s) => s.Sid).join(', ')}`,
    );
  }
  return found;
}

/**
 * Matches a reference to another stack's value, whichever way CDK wires it
 * (`Fn::ImportValue` of an export, or `Fn::GetStackOutput` with weak
 * references), when its export/output name matches the pattern.
 */
export function crossStackReference(pattern: RegExp): Matcher {
  return new CrossStackReferenceMatcher(pattern);
}

class CrossStackReferenceMatcher extends Matcher {
  readonly name = 'crossStackReference';

  constructor(private readonly pattern: RegExp) {
    super();
  }

  test(actual: unknown): MatchResult {
    const result = new MatchResult(actual);
    const value = actual as {
      'Fn::ImportValue'?: unknown;
      'Fn::GetStackOutput'?: { OutputName?: unknown };
    } | null;
    const name = value?.['Fn::ImportValue'] ?? value?.['Fn::GetStackOutput']?.OutputName;
    if (typeof name !== 'string' || !this.pattern.test(name)) {
      result.recordFailure({
        matcher: this,
        path: [],
        message: `Expected a cross-stack reference whose name matches ${String(this.pattern)}, got ${JSON.stringify(actual)}`,
      });
    }
    return result;
  }
}
