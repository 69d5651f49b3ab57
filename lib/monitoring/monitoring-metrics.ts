import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { StreamingMonitoringTargets } from '../streaming/streaming-monitoring-targets';
import type { WarehouseMonitoringTargets } from '../warehouse/warehouse-monitoring-targets';
import { PIPELINE_METRICS_NAMESPACE } from '../shared/pipeline-function';

/**
 * The metrics the dashboard shows and the alarms watch, in one place so both
 * read the same definitions. Dimension names are the ones each service
 * publishes (note the spaces in MSK's "Cluster Name").
 */

export const PERIOD = Duration.minutes(5);

// ---------- runs (Step Functions + the Lambdas' own metrics) ----------

export function runMetrics(stateMachine: sfn.IStateMachine): Record<string, cloudwatch.Metric> {
  const options = { period: PERIOD, statistic: cloudwatch.Stats.SUM };
  return {
    started: stateMachine.metricStarted({ ...options, label: 'Started' }),
    succeeded: stateMachine.metricSucceeded({ ...options, label: 'Succeeded' }),
    failed: stateMachine.metricFailed({ ...options, label: 'Failed' }),
    timedOut: stateMachine.metricTimedOut({ ...options, label: 'Timed out' }),
    aborted: stateMachine.metricAborted({ ...options, label: 'Aborted' }),
  };
}

/** failed + timed out + aborted: every run that did not finish. */
export function unfinishedRuns(stateMachine: sfn.IStateMachine): cloudwatch.MathExpression {
  const m = runMetrics(stateMachine);
  return new cloudwatch.MathExpression({
    expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
    usingMetrics: { failed: m.failed, timedOut: m.timedOut, aborted: m.aborted },
    label: 'Runs failed, timed out or aborted',
    period: PERIOD,
  });
}

/** A metric a pipeline Lambda emits with Powertools Metrics (dimension `service`). */
export function pipelineMetric(service: string, metricName: string, label?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: PIPELINE_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: cloudwatch.Stats.SUM,
    period: PERIOD,
    label: label ?? metricName,
  });
}

// ---------- streaming (MSK, MSK Connect) ----------

export function brokerThroughput(
  streaming: StreamingMonitoringTargets,
  metricName: 'BytesInPerSec' | 'BytesOutPerSec',
): cloudwatch.Metric[] {
  return Array.from(
    { length: streaming.brokerCount },
    (_, i) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName,
        dimensionsMap: { 'Cluster Name': streaming.clusterName, 'Broker ID': String(i + 1) },
        statistic: cloudwatch.Stats.AVERAGE,
        period: PERIOD,
        label: `${metricName} broker ${i + 1}`,
      }),
  );
}

/** Records the S3 sink's consumer group is behind on the transactions topic. */
export function sinkConsumerLag(
  streaming: StreamingMonitoringTargets,
  metricName: 'SumOffsetLag' | 'MaxOffsetLag',
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Kafka',
    metricName,
    dimensionsMap: {
      'Cluster Name': streaming.clusterName,
      'Consumer Group': streaming.sinkConsumerGroup,
      Topic: streaming.topicName,
    },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: PERIOD,
    label: metricName === 'SumOffsetLag' ? 'Sink lag, all partitions' : 'Sink lag, worst partition',
  });
}

export function connectorTasks(
  connectorName: string,
  metricName: 'ErroredTaskCount' | 'RunningTaskCount',
  label: string,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/KafkaConnect',
    metricName,
    dimensionsMap: { ConnectorName: connectorName },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: PERIOD,
    label,
  });
}

// ---------- failures reported as events (EMR steps, Glue) ----------

/** How often an EventBridge rule matched: the failure count of the events it forwards. */
export function ruleMatches(ruleName: string, label: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName: 'TriggeredRules',
    dimensionsMap: { RuleName: ruleName },
    statistic: cloudwatch.Stats.SUM,
    period: PERIOD,
    label,
  });
}

/** Failed Spark tasks of the Glue load job (job metrics are enabled on the job). */
export function glueFailedTasks(jobName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'Glue',
    metricName: 'glue.driver.aggregate.numFailedTasks',
    dimensionsMap: { JobName: jobName, JobRunId: 'ALL', Type: 'count' },
    statistic: cloudwatch.Stats.SUM,
    period: PERIOD,
    label: 'Load job failed tasks',
  });
}

// ---------- Lambdas and queues ----------

export function lambdaMetrics(
  fn: lambda.IFunction,
  label: string,
): Record<'errors' | 'throttles' | 'duration', cloudwatch.Metric> {
  return {
    errors: fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM, label: `${label} errors` }),
    throttles: fn.metricThrottles({
      period: PERIOD,
      statistic: cloudwatch.Stats.SUM,
      label: `${label} throttles`,
    }),
    duration: fn.metricDuration({
      period: PERIOD,
      statistic: cloudwatch.Stats.percentile(95),
      label: `${label} p95`,
    }),
  };
}

export function queueDepth(queue: sqs.IQueue, label: string): cloudwatch.Metric {
  return queue.metricApproximateNumberOfMessagesVisible({
    period: PERIOD,
    statistic: cloudwatch.Stats.MAXIMUM,
    label,
  });
}

// ---------- warehouse ----------

/** Health/capacity metrics of the warehouse, by kind. */
export function warehouseMetrics(warehouse: WarehouseMonitoringTargets): cloudwatch.Metric[] {
  if (warehouse.kind === 'serverless') {
    const dimensionsMap = { Workgroup: requireName(warehouse.workgroupName, 'workgroupName') };
    return [
      new cloudwatch.Metric({
        namespace: 'AWS/Redshift-Serverless',
        metricName: 'ComputeCapacity',
        dimensionsMap,
        statistic: cloudwatch.Stats.MAXIMUM,
        period: PERIOD,
        label: 'RPUs in use',
      }),
      new cloudwatch.Metric({
        namespace: 'AWS/Redshift-Serverless',
        metricName: 'ComputeSeconds',
        dimensionsMap,
        statistic: cloudwatch.Stats.SUM,
        period: PERIOD,
        label: 'RPU-seconds billed',
      }),
    ];
  }
  const dimensionsMap = { ClusterIdentifier: requireName(warehouse.clusterIdentifier, 'clusterIdentifier') };
  return [
    redshiftHealth(warehouse),
    new cloudwatch.Metric({
      namespace: 'AWS/Redshift',
      metricName: 'CPUUtilization',
      dimensionsMap,
      statistic: cloudwatch.Stats.AVERAGE,
      period: PERIOD,
      label: 'CPU %',
    }),
    new cloudwatch.Metric({
      namespace: 'AWS/Redshift',
      metricName: 'DatabaseConnections',
      dimensionsMap,
      statistic: cloudwatch.Stats.MAXIMUM,
      period: PERIOD,
      label: 'Connections',
    }),
  ];
}

/** 1 while a provisioned cluster is healthy, 0 (or missing) otherwise. */
export function redshiftHealth(warehouse: WarehouseMonitoringTargets): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Redshift',
    metricName: 'HealthStatus',
    dimensionsMap: { ClusterIdentifier: requireName(warehouse.clusterIdentifier, 'clusterIdentifier') },
    statistic: cloudwatch.Stats.MINIMUM,
    period: PERIOD,
    label: 'Health (1 = healthy)',
  });
}

function requireName(value: string | undefined, field: string): string {
  if (value === undefined || value === '') {
    throw new Error(
      `MonitoringStack: watched.warehouse.${field} is missing for this warehouse kind; the WarehouseStack must set it`,
    );
  }
  return value;
}
