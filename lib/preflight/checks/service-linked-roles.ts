import type { PreflightAws } from '../aws-ports';
import { describeError, fail, pass, type CheckResult } from '../check-result';

interface ServiceLinkedRole {
  readonly roleName: string;
  readonly serviceName: string;
  readonly usedFor: string;
}

/**
 * The service-linked roles the stacks rely on. Each service creates its role
 * on first use, but only when the principal creating the resource may call
 * iam:CreateServiceLinkedRole (the deploy role for the warehouse, the run state
 * machine for EMR clusters); creating them up front takes that off the first
 * deploy and the first run.
 */
export const SERVICE_LINKED_ROLES: readonly ServiceLinkedRole[] = [
  {
    roleName: 'AWSServiceRoleForEMRCleanup',
    serviceName: 'elasticmapreduce.amazonaws.com',
    usedFor: 'EMR cleans up the EC2 resources of the per-run clusters',
  },
  {
    roleName: 'AWSServiceRoleForRedshift',
    serviceName: 'redshift.amazonaws.com',
    usedFor: 'Redshift manages the warehouse network interfaces and endpoints',
  },
];

export async function checkServiceLinkedRoles(aws: PreflightAws): Promise<CheckResult[]> {
  return Promise.all(
    SERVICE_LINKED_ROLES.map(async ({ roleName, serviceName, usedFor }) => {
      const name = `Service-linked role ${roleName}`;
      const fix = `aws iam create-service-linked-role --aws-service-name ${serviceName}`;
      try {
        return (await aws.roleExists(roleName))
          ? pass(name, 'exists')
          : fail(name, `missing (${usedFor})`, fix);
      } catch (error) {
        return fail(
          name,
          `could not read it: ${describeError(error)}`,
          `check it exists, or create it: ${fix}`,
        );
      }
    }),
  );
}
