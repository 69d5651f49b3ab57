import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { lambdaInvokeState } from './lambda-invoke-state';
import type { ReportRefreshLoopProps } from './report-refresh-loop-props';
import { RUN_STATES } from './run-state-names';
import type { CatchIntoFailurePath } from './run-task';

/**
 * Refreshes the reporting materialized views, invoking the refresh function until it reports
 * done, then goes on to `whenRefreshed`. Progress is kept in `$.refresh`.
 */
export function reportRefreshLoop(
  scope: Construct,
  props: ReportRefreshLoopProps,
  catchIntoFailurePath: CatchIntoFailurePath,
  whenRefreshed: sfn.IChainable,
): sfn.Chain {
  const prepareRefresh = new sfn.Pass(scope, 'PrepareRefresh', {
    stateName: RUN_STATES.prepareRefresh,
    parameters: { 'runId.$': '$.runId', viewIndex: 0, statementId: null, invocations: 0, done: false },
    resultPath: '$.refresh',
  });
  // The function returns its progress; it throws ReportRefreshError past its invocation budget.
  const refreshReports = catchIntoFailurePath(
    lambdaInvokeState(
      scope,
      RUN_STATES.refreshReports,
      props.refreshReportsFunction,
      { 'Payload.$': '$.refresh' },
      {
        selector: {
          'runId.$': '$.Payload.runId',
          'viewIndex.$': '$.Payload.viewIndex',
          'statementId.$': '$.Payload.statementId',
          'invocations.$': '$.Payload.invocations',
          'done.$': '$.Payload.done',
        },
        path: '$.refresh',
      },
    ),
  );
  const waitForReports = new sfn.Wait(scope, 'WaitForReports', {
    stateName: RUN_STATES.waitForReports,
    time: sfn.WaitTime.duration(props.pollInterval ?? Duration.seconds(30)),
  });
  const reportsDone = new sfn.Choice(scope, 'ReportsDone', { stateName: RUN_STATES.reportsDone })
    .when(sfn.Condition.booleanEquals('$.refresh.done', true), whenRefreshed)
    .otherwise(waitForReports.next(refreshReports));

  return prepareRefresh.next(refreshReports).next(reportsDone);
}
