import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { StreamingMonitoringTargets } from '../streaming/streaming-monitoring-targets';
import type { WarehouseMonitoringTargets } from '../warehouse/warehouse-monitoring-targets';

/** What both the alarms and the dashboard watch: the run, its functions and queues, streaming, the warehouse. */
export interface MonitoredPipelineProps {
  readonly stateMachine: sfn.IStateMachine;
  /** Functions to watch for errors, with a short label for alarm names and graph legends. */
  readonly functions: { label: string; fn: lambda.IFunction }[];
  readonly deadLetterQueues: { label: string; queue: sqs.IQueue }[];
  readonly streaming: StreamingMonitoringTargets;
  readonly warehouse: WarehouseMonitoringTargets;
  /** Records of sink lag above which the lag alarm fires (config.monitoring.maxConsumerLag). */
  readonly maxConsumerLag: number;
}
