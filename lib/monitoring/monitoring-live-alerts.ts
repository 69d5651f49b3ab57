import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { stageResourcePrefix } from '../shared/pipeline-layout';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { LIVE_ALERT_METRICS } from '../../lambda/live-alerts/metrics';
import type { AlertsMonitoringTargets } from '../alerts/alerts-monitoring-targets';
import { lambdaMetrics, PERIOD, pipelineMetric, queueDepth } from './monitoring-metrics';

export interface LiveAlertsMonitoringProps {
  readonly stage: string;
  /** The ops topic (alarms), not the analysts' fraud-alerts topic. */
  readonly alertsTopic: sns.ITopic;
  readonly targets: AlertsMonitoringTargets;
  /**
   * Records the consumer may be behind the topic for 5 minutes before the lag alarm fires.
   * @default 10000
   */
  readonly maxOffsetLag?: number;
}

/**
 * Alarms and dashboard widgets of the live fraud-alert consumer: how far its
 * event source is behind the topic (Lambda's OffsetLag; the function has this
 * one event source, so the function's metric is the mapping's), function
 * errors and throttles, and records given up on in the on-failure queue.
 */
export class LiveAlertsMonitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly widgets: cloudwatch.IWidget[];

  constructor(scope: Construct, id: string, props: LiveAlertsMonitoringProps) {
    super(scope, id);
    const { targets } = props;
    const action = new actions.SnsAction(props.alertsTopic);
    const name = (what: string): string => `${stageResourcePrefix(props.stage)}-live-alerts-${what}`;
    const fnMetrics = lambdaMetrics(targets.fn, 'live-alerts');
    const offsetLag = new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'OffsetLag',
      dimensionsMap: { FunctionName: targets.fn.functionName },
      statistic: cloudwatch.Stats.MAXIMUM,
      period: PERIOD,
      label: 'Records behind the topic',
    });
    const throttles = fnMetrics.throttles;
    const onFailure = queueDepth(targets.onFailureQueue, 'Records given up on');
    const maxOffsetLag = props.maxOffsetLag ?? 10_000;

    const add = (alarmId: string, options: cloudwatch.AlarmProps): void => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    add('OffsetLag', {
      alarmName: name('offset-lag'),
      alarmDescription: `The live fraud-alert consumer is more than ${maxOffsetLag} records behind the transactions topic for 5 minutes: alerts are late. Check its errors and throttles and the event pollers.`,
      metric: offsetLag,
      threshold: maxOffsetLag,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });
    add('Errors', {
      alarmName: name('errors'),
      alarmDescription:
        'The live fraud-alert consumer failed whole batches (an unexpected error, not one card): the event source retries them. See its log group.',
      metric: fnMetrics.errors,
      threshold: 1,
      evaluationPeriods: 1,
    });
    add('Throttles', {
      alarmName: name('throttles'),
      alarmDescription:
        'Invocations of the live fraud-alert consumer were throttled (account concurrency): alerts are delayed while its lag grows.',
      metric: throttles,
      threshold: 1,
      evaluationPeriods: 1,
    });
    add('RecordsGivenUp', {
      alarmName: name('records-given-up'),
      alarmDescription:
        'The event source gave up on records after its retries and left them in the on-failure queue: those transactions raised no live alert. Inspect the messages (they name the topic, partition and offsets), fix the cause, and replay them.',
      metric: onFailure,
      threshold: 1,
      evaluationPeriods: 1,
    });

    const metric = (metricName: string, label: string) =>
      pipelineMetric(targets.serviceName, metricName, label);
    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6 });
    this.widgets = [
      new cloudwatch.TextWidget({
        markdown: '## Live fraud alerts (MSK event source, seconds behind the topic)',
        width: 24,
        height: 1,
      }),
      graph('Live consumer lag', [offsetLag]),
      graph('Alerts and bad lines', [
        metric(LIVE_ALERT_METRICS.alertsRaised, 'Alerts raised'),
        metric(LIVE_ALERT_METRICS.badLines, 'Bad lines skipped'),
        metric(LIVE_ALERT_METRICS.failedRecords, 'Records failed (retried)'),
        metric(LIVE_ALERT_METRICS.stateConflicts, 'Card-state write conflicts'),
      ]),
      graph('Live consumer health', [fnMetrics.errors, throttles, onFailure]),
    ];
  }
}
