import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { integrationArn, taskState } from './run-task';

/**
 * Terminates the run's cluster (`$.cluster.ClusterId`), leaving the state's input as it was. Used on
 * the happy path after the ATM step and on the failure path as a best-effort clean-up.
 */
export function terminateClusterState(scope: Construct, stateName: string): sfn.CustomState {
  return taskState(scope, stateName, {
    Resource: integrationArn(scope, 'elasticmapreduce:terminateCluster'),
    Parameters: { 'ClusterId.$': '$.cluster.ClusterId' },
    ResultPath: null,
  });
}
