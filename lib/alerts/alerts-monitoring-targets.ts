import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** What the dashboard and alarms watch of the live fraud-alert consumer. */
export interface AlertsMonitoringTargets {
  /** The consumer function (its OffsetLag, errors and throttles). */
  readonly fn: lambda.IFunction;
  /** Powertools service name of the function (its custom metrics' `service` dimension). */
  readonly serviceName: string;
  /** Where the event source sends records it gave up on. */
  readonly onFailureQueue: sqs.IQueue;
}
