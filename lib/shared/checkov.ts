import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Records a justified checkov skip on the CloudFormation resource itself
 * (`Metadata.checkov.skip`), so the reason sits next to the resource in the
 * code and travels with the template.
 */
export function skipCheckov(construct: IConstruct, checkId: string, reason: string): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(
      `skipCheckov(${checkId}): ${construct.node.path} has no CloudFormation resource to annotate`,
    );
  }
  if (reason.trim().length < 20) {
    throw new Error(
      `skipCheckov(${checkId}) on ${construct.node.path}: give a specific reason, not '${reason}'`,
    );
  }
  const existing =
    (resource.getMetadata('checkov') as { skip?: { id: string; comment: string }[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, { id: checkId, comment: reason }] });
}
