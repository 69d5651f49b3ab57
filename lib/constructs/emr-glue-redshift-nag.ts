import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
// cdk-nag prints wildcard findings with this function; using the same one keeps the ids identical.
// Deep import: cdk-nag 3.0.2 does not re-export it (the version is pinned in package.json).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';

/** A wildcard resource this policy is allowed to hold, and why. */
export interface AllowedWildcard {
  /** The resource exactly as written in the policy statement, e.g. `bucket.arnForObjects('transactions/*')`. */
  readonly resource: string;
  /** Why the wildcard cannot be narrower, specific to this policy and resource. */
  readonly reason: string;
}

/**
 * Acknowledges `AwsSolutions-IAM5[Resource::...]` findings of one managed
 * policy, for exactly the wildcard resources listed, with their reason.
 *
 * Object-prefix wildcards (`<bucket ARN>/raw/transactions/*`) on buckets of
 * another stack are printed by cdk-nag with the producer's output name,
 * which depends on that stack's internal logical ids. The finding ids are
 * therefore computed at validation time, after CDK has resolved cross-stack
 * references, from the resource values themselves. Only the listed
 * resources are acknowledged; any other wildcard still fails synth.
 */
export function acknowledgeWildcardResources(
  policy: iam.ManagedPolicy,
  allowed: readonly AllowedWildcard[],
): void {
  for (const { resource } of allowed) {
    if (!resource.includes('*')) {
      throw new Error(
        `acknowledgeWildcardResources(${policy.node.path}): '${resource}' has no wildcard to acknowledge`,
      );
    }
  }
  policy.node.addValidation({
    validate: () => {
      for (const { resource, reason } of allowed) {
        const flattened = flattenCfnReference(Stack.of(policy).resolve(resource));
        Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason });
      }
      return [];
    },
  });
}
