import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { lambdaInvokeState } from './lambda-invoke-state';
import { RUN_STATES } from './run-state-names';

/** Checks the ATM job's manifest counts against the raw data; the counts go to `$.reconciliation`. */
export function reconcileState(scope: Construct, reconcileFunction: lambda.IFunction): sfn.CustomState {
  return lambdaInvokeState(
    scope,
    RUN_STATES.reconcile,
    reconcileFunction,
    {
      // The start time lets reconcile-run tell late objects from lines the job skipped.
      Payload: {
        'runId.$': '$.runId',
        'rawPrefix.$': '$.rawPrefix',
        'startedAt.$': '$$.Execution.StartTime',
      },
    },
    {
      selector: {
        'read.$': '$.Payload.read',
        'valid.$': '$.Payload.valid',
        'quarantined.$': '$.Payload.quarantined',
        'duplicates.$': '$.Payload.duplicates',
        'rawLines.$': '$.Payload.rawLines',
        'lateLines.$': '$.Payload.lateLines',
      },
      path: '$.reconciliation',
    },
  );
}
