import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
// cdk-nag prints wildcard findings with this function; using the same one keeps the ids identical.
// Deep import: cdk-nag 3.0.2 does not re-export it (the version is pinned in package.json).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';

/** A wildcard resource a policy is allowed to hold, and why. */
export interface AllowedWildcard {
  /** The resource exactly as written in the policy statement, e.g. `bucket.arnForObjects('transactions/*')`. */
  readonly resource: string;
  /** Why the wildcard cannot be narrower, specific to this policy and resource. */
  readonly reason: string;
}

/**
 * Acknowledges the `AwsSolutions-IAM5[Resource::<resource>]` finding of one
 * policy for exactly this wildcard resource, with its reason; any other
 * wildcard in the policy still fails synth.
 *
 * cdk-nag prints a resource as its resolved value, which differs between
 * environment-agnostic and concrete stacks and between same-stack and
 * cross-stack references (an object-prefix wildcard on another stack's bucket
 * prints with the producer's output name, which depends on that stack's
 * internal logical ids). The finding id is therefore computed at validation
 * time, after CDK has resolved cross-stack references, never hard-coded.
 */
export function acknowledgeWildcardResource(policy: IConstruct, resource: string, reason: string): void {
  if (!resource.includes('*')) {
    throw new Error(
      `acknowledgeWildcardResource(${policy.node.path}): '${resource}' has no wildcard to acknowledge`,
    );
  }
  policy.node.addValidation({
    validate: () => {
      const flattened = flattenCfnReference(Stack.of(policy).resolve(resource));
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flattened}]`, reason });
      return [];
    },
  });
}

/** {@link acknowledgeWildcardResource} for each listed resource of one policy. */
export function acknowledgeWildcardResources(policy: IConstruct, allowed: readonly AllowedWildcard[]): void {
  for (const { resource, reason } of allowed) acknowledgeWildcardResource(policy, resource, reason);
}
