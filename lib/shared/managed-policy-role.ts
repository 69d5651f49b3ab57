import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export interface ManagedPolicyRoleProps extends iam.RoleProps {
  /**
   * Construct id of the role's customer-managed policy, which its CloudFormation
   * logical id is derived from. Changing it on a deployed role replaces the
   * policy, so roles created before the two ManagedPolicyRole copies were merged
   * keep their id: the pipeline functions and the run state machine pass 'Policy'.
   * @default 'Permissions'
   */
  readonly policyId?: string;
}

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
  // Set right after super(). iam.Role's constructor adds no statements (aws-cdk-lib 2.276),
  // so no grant needs the id earlier; permissionsPolicy fails clearly should one ever do.
  private readonly policyId: string;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    const { policyId, ...roleProps } = props;
    super(scope, id, roleProps);
    this.policyId = policyId ?? DEFAULT_POLICY_ID;
  }

  /**
   * The customer-managed policy holding every statement added to this role,
   * created on first use. Read it only once the role has a statement: an empty
   * managed policy fails synthesis.
   */
  get permissionsPolicy(): iam.ManagedPolicy {
    // Looked up in the construct tree rather than cached in a field: the tree is
    // then the one record of whether the policy exists.
    if (this.policyId === undefined) {
      throw new Error(
        `ManagedPolicyRole ${this.node.path}: a statement arrived while iam.Role's constructor was still running; ` +
          'add it after the role is constructed',
      );
    }
    const existing = this.node.tryFindChild(this.policyId);
    if (existing instanceof iam.ManagedPolicy) return existing;
    return new iam.ManagedPolicy(this, this.policyId, {
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

const DEFAULT_POLICY_ID = 'Permissions';
