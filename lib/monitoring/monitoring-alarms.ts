import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { stageResourcePrefix } from '../shared/pipeline-layout';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { START_RUN_METRICS } from '../../lambda/start-run/metrics';
import {
  connectorTasks,
  lambdaMetrics,
  pipelineMetric,
  queueDepth,
  redshiftHealth,
  sinkConsumerLag,
  unfinishedRuns,
} from './monitoring-metrics';
import type { MonitoredPipelineProps } from './monitored-pipeline-props';
import { RUN_SERVICES } from '../orchestration/orchestration-services';

export interface PipelineAlarmsProps extends MonitoredPipelineProps {
  readonly stage: string;
  readonly alertsTopic: sns.ITopic;
  /** Service name of the report refresh Lambda (its ReportRefreshFailures metric). */
  readonly reportRefreshService: string;
  /**
   * Service name of the start-run Lambda (its HoursOutOfAttempts metric).
   * @default RUN_SERVICES.startRun
   */
  readonly startRunService?: string;
}

/**
 * Every alarm pages the alerts topic (and says so again when it recovers).
 * Thresholds are "any occurrence" for failures, because each one is a run that
 * did not deliver data; the lag alarm needs 15 minutes above the limit so a
 * burst the sink catches up with does not page.
 */
export class PipelineAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.action = new actions.SnsAction(props.alertsTopic);
    const name = (what: string): string => `${stageResourcePrefix(props.stage)}-${what}`;

    this.add('RunFailed', {
      alarmName: name('run-failed'),
      alarmDescription:
        'A pipeline run failed, timed out or was aborted. The run alert on the same topic names the state and cause; start-run retries the hour on its next tick while attempts are left (see hours-out-of-attempts). An aborted run skips the EMR clean-up (idle auto-termination stops the cluster).',
      metric: unfinishedRuns(props.stateMachine),
      threshold: 1,
    });

    this.add('HoursOutOfAttempts', {
      alarmName: name('hours-out-of-attempts'),
      alarmDescription:
        'An hour of raw data stays unprocessed: its latest run attempts all failed and start-run stopped retrying it. ' +
        "start-run's log lists the hours, the run alerts name the cause. Fix it, then invoke start-run with " +
        '{"window": "<hour>", "attempt": <next attempt>}; the alarm clears on the first tick that finds no such hour.',
      metric: pipelineMetric(
        props.startRunService ?? RUN_SERVICES.startRun,
        START_RUN_METRICS.hoursOutOfAttempts,
        'Hours out of attempts',
      ).with({ statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      // Published only by ticks that examined the hours (not while a run is in progress, and not
      // between ticks): no data keeps the last state instead of clearing it.
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    for (const { label, fn } of props.functions) {
      this.add(`${label}Errors`, {
        alarmName: name(`${label}-errors`),
        alarmDescription: `The ${label} Lambda reported errors; see its log group for the error and the run id.`,
        metric: lambdaMetrics(fn, label).errors,
        threshold: 1,
      });
    }

    for (const { label, queue } of props.deadLetterQueues) {
      this.add(`${label}DlqNotEmpty`, {
        alarmName: name(`${label}-dlq-not-empty`),
        alarmDescription: `Events that ${label} could not process are waiting in its dead-letter queue; inspect them, fix the cause, then redrive or delete them.`,
        metric: queueDepth(queue, `${label} DLQ messages`),
        threshold: 1,
      });
    }

    this.add('SinkConsumerLag', {
      alarmName: name('sink-consumer-lag'),
      alarmDescription: `The S3 sink connector is more than ${props.maxConsumerLag} records behind on ${props.streaming.topicName} for 15 minutes: raw data is late, so runs will be late too.`,
      metric: sinkConsumerLag(props.streaming, 'SumOffsetLag'),
      threshold: props.maxConsumerLag,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });

    const connectors = [
      { label: 'source-connector', connectorName: props.streaming.sourceConnectorName },
      { label: 'sink-connector', connectorName: props.streaming.sinkConnectorName },
    ];
    for (const { label, connectorName } of connectors) {
      this.add(`${label}ErroredTasks`, {
        alarmName: name(`${label}-errored-tasks`),
        alarmDescription: `MSK Connect connector ${connectorName} has failed tasks; records are not flowing. See the worker logs in ${props.streaming.connectorLogGroupName}.`,
        metric: connectorTasks(connectorName, 'ErroredTaskCount', `${label} errored tasks`),
        threshold: 1,
      });
    }

    this.add('ReportRefreshFailed', {
      alarmName: name('report-refresh-failed'),
      alarmDescription:
        'A REFRESH MATERIALIZED VIEW statement failed in Redshift: the load is committed but the reports are stale.',
      metric: pipelineMetric(props.reportRefreshService, 'ReportRefreshFailures'),
      threshold: 1,
    });

    if (props.warehouse.kind === 'provisioned') {
      this.add('WarehouseUnhealthy', {
        alarmName: name('warehouse-unhealthy'),
        alarmDescription:
          'The Redshift cluster reports itself unhealthy (or stopped reporting) for 10 minutes.',
        metric: redshiftHealth(props.warehouse),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
  }

  private add(
    id: string,
    options: {
      alarmName: string;
      alarmDescription: string;
      metric: cloudwatch.IMetric;
      threshold: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
      evaluationPeriods?: number;
      treatMissingData?: cloudwatch.TreatMissingData;
    },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: options.alarmName,
      alarmDescription: options.alarmDescription,
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator:
        options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.evaluationPeriods ?? 1,
      // No data means nothing happened (no run, no error), except where overridden.
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
  }
}
