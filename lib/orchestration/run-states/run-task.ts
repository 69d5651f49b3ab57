import { Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * Sends a task's error into the failure path, recording which state failed (`$failedState`) and
 * the error (`$.failure`). The failure path reads both to describe the failure.
 */
export type CatchIntoFailurePath = (state: sfn.CustomState) => sfn.CustomState;

/** The catch every run task shares, into `handleFailure` (the failure path's first state). */
export function catchIntoFailurePath(handleFailure: sfn.IChainable): CatchIntoFailurePath {
  // The state machine's state names are the CustomStates' construct ids.
  return (state) =>
    state.addCatch(handleFailure, { resultPath: '$.failure', assign: { failedState: state.node.id } });
}

/** ARN of a Step Functions service integration, e.g. `elasticmapreduce:terminateCluster`. */
export function integrationArn(scope: Construct, integration: string): string {
  return `arn:${Stack.of(scope).partition}:states:::${integration}`;
}

/** A hand-written Task state named `stateName` (see orchestration-asl.ts for why not the task classes). */
export function taskState(
  scope: Construct,
  stateName: string,
  stateJson: Record<string, unknown>,
): sfn.CustomState {
  return new sfn.CustomState(scope, stateName, { stateJson: { Type: 'Task', ...stateJson } });
}
