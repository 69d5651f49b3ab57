import { Duration } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { LoadWarehouseStateProps } from './load-warehouse-state-props';
import { glueApiRetry } from './run-retries';
import { RUN_STATES } from './run-state-names';
import { integrationArn, taskState } from './run-task';

/** Runs the Glue load job for the run id and waits for it. */
export function loadWarehouseState(
  scope: Construct,
  { loadJobName, timeout }: LoadWarehouseStateProps,
): sfn.CustomState {
  const state = taskState(scope, RUN_STATES.loadWarehouse, {
    Resource: integrationArn(scope, 'glue:startJobRun.sync'),
    TimeoutSeconds: timeout.toSeconds(),
    Parameters: { JobName: loadJobName, Arguments: { '--run_id.$': '$.runId' } },
    ResultPath: null,
  });
  // A slower first retry than the other Glue calls: a rejected job start is retried less eagerly.
  return state.addRetry(glueApiRetry({ interval: Duration.seconds(30) }));
}
