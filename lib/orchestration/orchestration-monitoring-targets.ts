import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

export interface OrchestrationMonitoringTargets {
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: lambda.IFunction[];
  readonly deadLetterQueues: sqs.IQueue[];
  /** The same functions, each with its service name (for alarm names and labels). */
  readonly namedFunctions: { readonly name: string; readonly fn: lambda.IFunction }[];
  /** The same queues, each named after the function it belongs to. */
  readonly namedDeadLetterQueues: { readonly name: string; readonly queue: sqs.IQueue }[];
}
