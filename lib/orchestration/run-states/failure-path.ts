import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { FailurePathProps } from './failure-path-props';
import { alertPublishRetry, emrApiRetry } from './run-retries';
import { RUN_STATES } from './run-state-names';
import { integrationArn, taskState } from './run-task';
import { terminateClusterState } from './terminate-cluster-state';

/**
 * The failure path, entered only through a task's Catch: terminate the cluster if one was created
 * (errors ignored) -> make sure the input has an attempt -> describe the failure -> publish it to
 * the alerts topic -> fail with the original error. Returns its first state, the Catch target.
 */
export function failurePath(scope: Construct, props: FailurePathProps): sfn.Choice {
  const alert = alertStates(scope, props);
  const attemptRecorded = ensureAttempt(scope, alert);
  return clusterCleanup(scope, attemptRecorded);
}

/** Describe failure -> Notify run failure -> Run failed; returns the first of them. */
function alertStates(scope: Construct, { stage, alertsTopic }: FailurePathProps): sfn.Pass {
  const failed = new sfn.Fail(scope, 'Failed', {
    stateName: RUN_STATES.failed,
    errorPath: sfn.JsonPath.stringAt('$.failure.Error'),
    causePath: sfn.JsonPath.stringAt('$.failure.Cause'),
  });
  const notifyFailure = taskState(scope, RUN_STATES.notifyFailure, {
    Resource: integrationArn(scope, 'sns:publish'),
    Parameters: {
      TopicArn: alertsTopic.topicArn,
      Subject: `[${stage}] bank pipeline run failed`,
      'Message.$': 'States.JsonToString($.alert)',
    },
    ResultPath: null,
  });
  notifyFailure.addRetry(alertPublishRetry());
  // If even the alert cannot be sent, still fail the execution: the ExecutionsFailed alarm pages.
  notifyFailure.addCatch(failed, { resultPath: '$.notifyError' });
  notifyFailure.next(failed);

  // One JSON document per failure: readable in the email, parseable by chat/ticket integrations.
  const describeFailure = new sfn.Pass(scope, 'DescribeFailure', {
    stateName: RUN_STATES.describeFailure,
    parameters: {
      alarm: `[${stage}] bank pipeline run failed`,
      'runId.$': '$.runId',
      'window.$': '$.window',
      'failedState.$': '$failedState',
      'error.$': '$.failure.Error',
      'cause.$': '$.failure.Cause',
      'execution.$': '$$.Execution.Id',
      'attempt.$': '$.attempt',
      rerun: {
        automatic:
          'start-run retries the hour (the whole hour, same run id, next attempt) on its next tick while fewer than maxRunAttempts attempts in a row have failed; after that the out-of-attempts alarm fires',
        how: 'when the retries are used up: fix the cause, then invoke the start-run function with this event',
        event: { 'window.$': '$.window', 'attempt.$': 'States.MathAdd($.attempt, 1)' },
      },
    },
    resultPath: '$.alert',
  });
  describeFailure.next(notifyFailure);
  return describeFailure;
}

/**
 * start-run always sets `attempt` (RunInput); an execution started by hand may not, and the
 * alert's States.MathAdd($.attempt, 1) would then fail the failure path itself.
 */
function ensureAttempt(scope: Construct, describeFailure: sfn.Pass): sfn.Choice {
  const defaultAttempt = new sfn.Pass(scope, 'DefaultAttempt', {
    stateName: RUN_STATES.defaultAttempt,
    result: sfn.Result.fromNumber(1),
    resultPath: '$.attempt',
  });
  defaultAttempt.next(describeFailure);
  return new sfn.Choice(scope, 'AttemptRecorded', { stateName: RUN_STATES.attemptRecorded })
    .when(sfn.Condition.isPresent('$.attempt'), describeFailure)
    .otherwise(defaultAttempt);
}

/** Terminates the run's cluster when the failure came after its creation, then goes on to `next`. */
function clusterCleanup(scope: Construct, next: sfn.Choice): sfn.Choice {
  const terminateAfterFailure = terminateClusterState(scope, RUN_STATES.terminateAfterFailure);
  terminateAfterFailure.addRetry(emrApiRetry());
  // Clean-up is best effort: the alert matters more, and idle auto-termination is the backstop.
  terminateAfterFailure.addCatch(next, { resultPath: '$.cleanupError' });
  terminateAfterFailure.next(next);

  return new sfn.Choice(scope, 'ClusterCreated', { stateName: RUN_STATES.clusterCreated })
    .when(sfn.Condition.isPresent('$.cluster.ClusterId'), terminateAfterFailure)
    .otherwise(next);
}
