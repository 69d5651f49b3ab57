import { type CfnElement, CfnOutput, Stack } from 'aws-cdk-lib';
import { replacementFingerprint } from './replacement-fingerprint';

/** Where CDK puts the outputs that weak cross-stack references (`Fn::GetStackOutput`) read. */
const PUBLISHED_OUTPUTS_SCOPE = 'Publish';
const PUBLISHED_OUTPUT_PREFIX = 'Output';

/**
 * The base of every stack of the pipeline: a Stack whose cross-stack values
 * cannot go stale.
 *
 * With weak references (cdk.json `@aws-cdk/core:defaultCrossStackReferences`),
 * a consumer reads a producer's value with `Fn::GetStackOutput`, resolved only
 * when the consumer's resources are created or updated. If the producer
 * replaces the resource (a new security group, a subnet in another zone), the
 * consumer's template text would stay the same, `cdk deploy` would skip it and
 * it would keep the deleted resource's id.
 *
 * So the name of every published output ends with the replacement fingerprint
 * of the resource it publishes (see replacement-fingerprint.ts). A change that
 * replaces the resource renames the output, which changes the
 * `Fn::GetStackOutput` in every consumer resource that reads it: the consumer
 * stack is deployed, exactly those resources are updated and read the new
 * value. Changes that cannot replace the resource leave the name alone.
 * See docs/adr/0001-cross-stack-references.md.
 */
export class PipelineStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    const logicalId = super.allocateLogicalId(element);
    const published = publishedLogicalId(this, element);
    return published === undefined ? logicalId : `${logicalId}${replacementFingerprint(this, published)}`;
  }
}

/**
 * The logical id of the resource an output publishes, when the output is one
 * CDK made for a cross-stack reference: its construct id is `Output` followed
 * by the JSON of the Ref or Fn::GetAtt it carries.
 */
function publishedLogicalId(stack: Stack, element: CfnElement): string | undefined {
  const scope = element.node.scope;
  if (
    !(element instanceof CfnOutput) ||
    scope?.node.id !== PUBLISHED_OUTPUTS_SCOPE ||
    scope.node.scope !== stack
  ) {
    return undefined;
  }
  const id = element.node.id;
  if (!id.startsWith(PUBLISHED_OUTPUT_PREFIX)) return undefined;
  const reference = JSON.parse(id.slice(PUBLISHED_OUTPUT_PREFIX.length)) as {
    Ref?: string;
    'Fn::GetAtt'?: [string, string];
  };
  const target = reference.Ref ?? reference['Fn::GetAtt']?.[0];
  if (target === undefined) {
    throw new Error(`${element.node.path}: a published output that is neither a Ref nor a GetAtt (${id})`);
  }
  return target;
}
