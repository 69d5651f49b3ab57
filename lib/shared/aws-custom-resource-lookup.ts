import { Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { skipCheckov } from './checkov';

/**
 * Construct id of the Lambda function CDK builds once per stack for every
 * `AwsCustomResource` in it (aws-cdk-lib/custom-resources).
 */
const AWS_CUSTOM_RESOURCE_FUNCTION_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

/** Why the stack's `AwsCustomResource` function is as it is, for the deploy-time lookup that uses it. */
export interface LookupFunctionReasons {
  /** What the lookup is, as a noun, e.g. `prefix-list lookup`. */
  readonly lookup: string;
  /** Why the function need not run inside the VPC (PCI DSS 3.2.1 LambdaInsideVPC). */
  readonly outsideVpc: string;
  /** Why it must work without a VPC endpoint (checkov CKV_AWS_117). */
  readonly withoutVpcEndpoint: string;
}

/**
 * Answers the cdk-nag and checkov findings on the `AwsCustomResource` Lambda of
 * `scope`'s stack: a singleton CDK builds and configures, so no prop reaches it.
 * The first lookup to call this answers them; a later one in the same stack
 * finds them answered and leaves them.
 */
export function acknowledgeLookupFunction(scope: Construct, reasons: LookupFunctionReasons): void {
  const stack = Stack.of(scope);
  const functions = stack.node
    .findAll()
    .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
    .filter((f) => f.node.path.includes(AWS_CUSTOM_RESOURCE_FUNCTION_ID));
  for (const cfnFunction of functions) {
    if (cfnFunction.node.metadata.some((m) => m.type === 'aws:cdk:acknowledged-rules')) continue;
    Validations.of(cfnFunction).acknowledge({
      id: 'PCI.DSS.321-LambdaInsideVPC',
      reason: reasons.outsideVpc,
    });
    const runtime = stack.resolve(cfnFunction.runtime) as unknown;
    if (typeof runtime === 'string' && runtime !== lambda.Runtime.NODEJS_24_X.name) {
      Validations.of(cfnFunction).acknowledge({
        id: 'AwsSolutions-L1',
        reason: `The ${reasons.lookup} runs CDK's AwsCustomResource Lambda, whose Node.js runtime (${runtime}) CDK fixes per region; no prop overrides it`,
      });
    }
    skipCheckov(
      cfnFunction,
      'CKV_AWS_115',
      `Deploy-time ${reasons.lookup} that runs when CloudFormation creates or updates it; a reservation would only take capacity from the account pool`,
    );
    skipCheckov(
      cfnFunction,
      'CKV_AWS_116',
      `CloudFormation waits for the ${reasons.lookup} and fails and rolls back the deployment when it does not answer; a DLQ would never be read`,
    );
    skipCheckov(cfnFunction, 'CKV_AWS_117', reasons.withoutVpcEndpoint);
  }
}
