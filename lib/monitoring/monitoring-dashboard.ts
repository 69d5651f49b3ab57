import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { START_RUN_METRICS } from '../../lambda/start-run/metrics';
import type { AnalyticsMonitoringTargets } from '../analytics/analytics-monitoring-targets';
import {
  brokerThroughput,
  connectorTasks,
  glueFailedTasks,
  lambdaMetrics,
  pipelineMetric,
  queueDepth,
  ruleMatches,
  runMetrics,
  sinkConsumerLag,
  warehouseMetrics,
} from './monitoring-metrics';
import type { MonitoredPipelineProps } from './monitored-pipeline-props';

export interface PipelineDashboardProps extends MonitoredPipelineProps {
  readonly dashboardName: string;
  readonly analytics: AnalyticsMonitoringTargets;
  /** Rule names of the failure events (EMR step, load job, crawler). */
  readonly failureRules: { emrStep: string; loadJob: string; crawler: string };
  /** Powertools service names of the run functions, for their custom metrics. */
  readonly services: { startRun: string; reconcile: string; crawlerStatus: string; refreshReports: string };
  readonly alarms: cloudwatch.IAlarm[];
}

const WIDTH = 24;

/**
 * One dashboard, read top to bottom the way data flows: alarms, runs, streaming
 * (MSK throughput, sink lag, connector tasks), processing and catalog failures
 * (EMR step, crawlers, load job), the orchestration Lambdas and DLQs, then the
 * warehouse.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      width = 8,
      extra: Partial<cloudwatch.GraphWidgetProps> = {},
    ) => new cloudwatch.GraphWidget({ title, left, width, height: 6, ...extra });
    const heading = (markdown: string) => new cloudwatch.TextWidget({ markdown, width: WIDTH, height: 1 });

    const runs = runMetrics(props.stateMachine);
    const lambdas = props.functions.map(({ label, fn }) => lambdaMetrics(fn, label));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: props.alarms,
            width: WIDTH,
            height: 4,
          }),
        ],
        [heading('## Runs (one per closed hour of raw data)')],
        [
          graph('Run executions', [runs.started, runs.succeeded, runs.failed, runs.timedOut, runs.aborted]),
          graph('Records per run (manifest)', [
            pipelineMetric(props.services.reconcile, 'RawLines', 'Raw lines'),
            pipelineMetric(props.services.reconcile, 'RecordsRead', 'Read'),
            pipelineMetric(props.services.reconcile, 'RecordsValid', 'Valid'),
            pipelineMetric(props.services.reconcile, 'RecordsQuarantined', 'Quarantined'),
            pipelineMetric(props.services.reconcile, 'RecordsDuplicate', 'Duplicates'),
          ]),
          graph('Run starts and failures by cause', [
            pipelineMetric(props.services.startRun, 'RunsStarted', 'Runs started'),
            pipelineMetric(props.services.startRun, 'RunsRetried', 'Retries of failed hours'),
            pipelineMetric(props.services.startRun, 'LateDataReruns', 'Re-runs for late objects'),
            pipelineMetric(
              props.services.startRun,
              START_RUN_METRICS.hoursOutOfAttempts,
              'Hours out of attempts',
            ).with({ statistic: cloudwatch.Stats.MAXIMUM }),
            pipelineMetric(props.services.startRun, 'StartRunFailures', 'start-run failures'),
            pipelineMetric(props.services.reconcile, 'ReconciliationFailures', 'Reconciliation failures'),
            pipelineMetric(props.services.crawlerStatus, 'CrawlerFailures', 'Crawl failures'),
            pipelineMetric(props.services.refreshReports, 'ReportRefreshFailures', 'Report refresh failures'),
          ]),
        ],
        [heading('## Streaming: MSK and MSK Connect')],
        [
          graph('MSK bytes in per broker', brokerThroughput(props.streaming, 'BytesInPerSec')),
          graph('MSK bytes out per broker', brokerThroughput(props.streaming, 'BytesOutPerSec')),
          graph(
            'S3 sink consumer lag (records)',
            [
              sinkConsumerLag(props.streaming, 'SumOffsetLag'),
              sinkConsumerLag(props.streaming, 'MaxOffsetLag'),
            ],
            8,
            {
              leftAnnotations: [
                { value: props.maxConsumerLag, label: 'alarm threshold', color: cloudwatch.Color.RED },
              ],
            },
          ),
        ],
        [
          graph(
            'Connector tasks',
            [
              connectorTasks(props.streaming.sourceConnectorName, 'RunningTaskCount', 'SFTP source running'),
              connectorTasks(props.streaming.sinkConnectorName, 'RunningTaskCount', 'S3 sink running'),
              connectorTasks(props.streaming.sourceConnectorName, 'ErroredTaskCount', 'SFTP source errored'),
              connectorTasks(props.streaming.sinkConnectorName, 'ErroredTaskCount', 'S3 sink errored'),
            ],
            WIDTH,
          ),
        ],
        [heading('## Processing and catalog: EMR step, crawlers, Glue load job')],
        [
          graph('ATM step failures (EMR step events)', [
            ruleMatches(props.failureRules.emrStep, 'Failed/cancelled ATM steps'),
          ]),
          graph('Crawler failures', [
            ruleMatches(props.failureRules.crawler, 'Crawler failures (events)'),
            pipelineMetric(props.services.crawlerStatus, 'CrawlerFailures', 'Crawls failed inside runs'),
          ]),
          graph('Load job failures', [
            ruleMatches(props.failureRules.loadJob, `${props.analytics.loadJobName} failed runs (events)`),
            glueFailedTasks(props.analytics.loadJobName),
          ]),
        ],
        [heading('## Orchestration Lambdas and dead-letter queues')],
        [
          graph(
            'Lambda errors',
            lambdas.map((m) => m.errors),
          ),
          graph(
            'Lambda throttles',
            lambdas.map((m) => m.throttles),
          ),
          graph(
            'Lambda duration p95',
            lambdas.map((m) => m.duration),
          ),
        ],
        [
          graph(
            'Dead-letter queue depth',
            props.deadLetterQueues.map(({ label, queue }) => queueDepth(queue, label)),
            WIDTH,
          ),
        ],
        [heading(`## Warehouse: Redshift ${props.warehouse.kind}`)],
        [
          graph('Warehouse', warehouseMetrics(props.warehouse), 16),
          graph('Report refresh', [
            pipelineMetric(props.services.refreshReports, 'ReportsRefreshed', 'Views refreshed'),
            pipelineMetric(props.services.refreshReports, 'ReportRefreshFailures', 'Refresh failures'),
          ]),
        ],
      ],
    });
  }
}
