import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

export interface ReportRefreshLoopProps {
  /** Refreshes the reporting materialized views one step per invocation and returns its progress. */
  readonly refreshReportsFunction: lambda.IFunction;
  /**
   * Pause between two report-refresh invocations.
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
}
