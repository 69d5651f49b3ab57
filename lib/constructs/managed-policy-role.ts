import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * An IAM role whose permissions live in one customer-managed policy instead of
 * an inline `DefaultPolicy`.
 *
 * PCI DSS 3.2.1 (cdk-nag `PCI.DSS.321-IAMNoInlinePolicy`) rejects inline
 * policies, yet CDK grants (`bucket.grantRead(role)`, `fn.grantInvoke(role)`,
 * a Provider framework granting itself invoke) all land in the role's inline
 * default policy. Routing `addToPrincipalPolicy` into a managed policy keeps
 * every grant working unchanged while the template carries no inline policy.
 */
export class ManagedPolicyRole extends iam.Role {
  /** The customer-managed policy holding every statement added to this role (created on first use). */
  get permissionsPolicy(): iam.ManagedPolicy {
    // Looked up in the construct tree rather than kept in a class field: grants
    // can arrive while the base constructor is still running, before fields exist.
    const existing = this.node.tryFindChild(PERMISSIONS_ID);
    if (existing instanceof iam.ManagedPolicy) return existing;
    return new iam.ManagedPolicy(this, PERMISSIONS_ID, {
      description: `Permissions of ${this.node.path}`.slice(0, 1000),
      roles: [this],
    });
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const policy = this.permissionsPolicy;
    policy.addStatements(statement);
    return { statementAdded: true, policyDependable: policy };
  }
}

const PERMISSIONS_ID = 'Permissions';
