import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { lambdaTaskRetry } from './run-retries';
import { integrationArn, taskState } from './run-task';

/** What the state keeps of the function's response, and where in the state's data it goes. */
export interface InvokeResult {
  readonly selector: Record<string, string>;
  readonly path: string;
}

/** Invokes a run function (unqualified ARN) with `payload`, retrying only transient errors. */
export function lambdaInvokeState(
  scope: Construct,
  stateName: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  result: InvokeResult,
): sfn.CustomState {
  const state = taskState(scope, stateName, {
    Resource: integrationArn(scope, 'lambda:invoke'),
    // Lambda's own maximum run time: the task never gives up before the function does.
    TimeoutSeconds: 900,
    Parameters: { FunctionName: fn.functionArn, ...payload },
    ResultSelector: result.selector,
    ResultPath: result.path,
  });
  return state.addRetry(lambdaTaskRetry());
}
