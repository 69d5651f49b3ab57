import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
// cdk-nag prints wildcard findings with this function; using the same one keeps the ids identical.
// Deep import: cdk-nag 3.0.2 does not re-export it (the version is pinned in package.json).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';

/**
 * Acknowledges the `AwsSolutions-IAM5[Resource::<resource>]` finding of one
 * policy for exactly this wildcard resource. The finding id is computed at
 * validation time, after CDK has resolved cross-stack references (a bucket ARN
 * of another stack prints as that stack's output), so it matches what cdk-nag
 * reports; any other wildcard in the policy still fails synth.
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
