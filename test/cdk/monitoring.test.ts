import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthMonitoringAlone } from './monitoring-local';

const TOPIC = 'arn:aws:sns:eu-central-1:111111111111:stand-in-alerts';

function alarmsByName(template: Template): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => [
      alarm.Properties.AlarmName as string,
      alarm.Properties as Record<string, unknown>,
    ]),
  );
}

/** Namespace, name, dimensions and period of a single-metric alarm, whichever form CDK rendered. */
function watchedMetric(alarm: Record<string, unknown>): Record<string, unknown> {
  const metrics = alarm.Metrics as
    { MetricStat?: { Metric: Record<string, unknown>; Period: number; Stat: string } }[] | undefined;
  if (metrics === undefined) {
    const { Namespace, MetricName, Dimensions, Period, Statistic } = alarm;
    return { Namespace, MetricName, Dimensions, Period, Stat: Statistic };
  }
  expect(metrics).toHaveLength(1);
  const stat = metrics[0].MetricStat;
  return { ...stat?.Metric, Period: stat?.Period, Stat: stat?.Stat };
}

/** The dashboard body as text, with references flattened. */
function dashboardBody(template: Template): string {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  return typeof body === 'string'
    ? body
    : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
}

describe('MonitoringStack (serverless warehouse, nag packs on)', () => {
  let template: Template;
  let alarms: Record<string, Record<string, unknown>>;

  beforeAll(() => {
    template = synthMonitoringAlone('serverless').template;
    alarms = alarmsByName(template);
  });

  it('has an alarm for every promise, each paging the alerts topic and reporting recovery', () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        'dev-bank-pipeline-run-failed',
        'dev-bank-pipeline-start-run-errors',
        'dev-bank-pipeline-reconcile-run-errors',
        'dev-bank-pipeline-crawler-status-errors',
        'dev-bank-pipeline-refresh-reports-errors',
        'dev-bank-pipeline-start-run-dlq-not-empty',
        'dev-bank-pipeline-sink-consumer-lag',
        'dev-bank-pipeline-source-connector-errored-tasks',
        'dev-bank-pipeline-sink-connector-errored-tasks',
        'dev-bank-pipeline-report-refresh-failed',
      ].sort(),
    );
    for (const alarm of Object.values(alarms)) {
      expect(alarm.AlarmActions).toEqual([TOPIC]);
      expect(alarm.OKActions).toEqual([TOPIC]);
      expect(String(alarm.AlarmDescription).length).toBeGreaterThan(40);
    }
  });

  it('counts failed, timed-out and aborted runs together', () => {
    const run = alarms['dev-bank-pipeline-run-failed'];
    const metrics = run.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string } };
    }[];
    expect(metrics[0].Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)');
    expect(
      metrics
        .slice(1)
        .map((m) => m.MetricStat?.Metric.MetricName)
        .sort(),
    ).toEqual(['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(run).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it('alarms on sink consumer lag above config.monitoring.maxConsumerLag for 15 minutes', () => {
    const lag = alarms['dev-bank-pipeline-sink-consumer-lag'];
    expect(lag).toMatchObject({
      Threshold: 100_000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(watchedMetric(lag)).toMatchObject({
      Namespace: 'AWS/Kafka',
      MetricName: 'SumOffsetLag',
      Period: 300,
      Dimensions: expect.arrayContaining([
        { Name: 'Consumer Group', Value: 'connect-s3-sink-4e5f6a7b' },
        { Name: 'Topic', Value: 'bank.transactions.v1' },
        { Name: 'Cluster Name', Value: 'dev-bank-pipeline-msk' },
      ]),
    });
  });

  it('alarms on any errored connector task, DLQ message or Lambda error', () => {
    const threshold = (name: string): unknown => alarms[name].Threshold;
    expect(threshold('dev-bank-pipeline-sink-connector-errored-tasks')).toBe(1);
    expect(watchedMetric(alarms['dev-bank-pipeline-sink-connector-errored-tasks'])).toMatchObject({
      Namespace: 'AWS/KafkaConnect',
      MetricName: 'ErroredTaskCount',
      Dimensions: [{ Name: 'ConnectorName', Value: 's3-sink-4e5f6a7b' }],
    });
    expect(threshold('dev-bank-pipeline-start-run-dlq-not-empty')).toBe(1);
    expect(watchedMetric(alarms['dev-bank-pipeline-start-run-dlq-not-empty'])).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    expect(watchedMetric(alarms['dev-bank-pipeline-refresh-reports-errors'])).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
    });
    expect(watchedMetric(alarms['dev-bank-pipeline-report-refresh-failed'])).toMatchObject({
      Namespace: 'BankPipeline',
      MetricName: 'ReportRefreshFailures',
      Dimensions: [{ Name: 'service', Value: 'refresh-reports' }],
    });
  });

  it('forwards EMR step, Glue job and crawler failures to the topic as readable messages', () => {
    template.resourceCountIs('AWS::Events::Rule', 3);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.emr'],
        'detail-type': ['EMR Step Status Change'],
        detail: { state: ['FAILED', 'CANCELLED'], name: [{ prefix: 'atm-job ' }] },
      },
      Targets: [
        Match.objectLike({
          Arn: TOPIC,
          InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('EMR step') }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: { jobName: ['stand-in-load-job'], state: ['FAILED', 'TIMEOUT', 'ERROR'] },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Crawler State Change'],
        detail: { crawlerName: ['stand-in-raw-crawler', 'stand-in-processed-crawler'], state: ['Failed'] },
      },
    });
    // The topic lives in FoundationStack; nothing here may change its policy.
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });

  it('shows every part of the pipeline on one dashboard', () => {
    const body = dashboardBody(template);
    for (const expected of [
      '"AWS/Kafka","BytesInPerSec"',
      '"AWS/Kafka","BytesOutPerSec"',
      '"SumOffsetLag"',
      '"MaxOffsetLag"',
      '"AWS/KafkaConnect","ErroredTaskCount"',
      '"AWS/KafkaConnect","RunningTaskCount"',
      '"AWS/Events","TriggeredRules"',
      'glue.driver.aggregate.numFailedTasks',
      '"ExecutionsFailed"',
      '"AWS/Lambda","Errors"',
      '"AWS/Lambda","Throttles"',
      '"ApproximateNumberOfMessagesVisible"',
      '"AWS/Redshift-Serverless","ComputeCapacity"',
      '"BankPipeline","RecordsQuarantined"',
    ]) {
      expect(body, expected).toContain(expected);
    }
    expect(body).toContain('"Broker ID","2"');
    expect(body).toContain('"type":"alarm"');
  });
});

describe('MonitoringStack (provisioned warehouse)', () => {
  it('watches the cluster health instead of serverless capacity', () => {
    const { template } = synthMonitoringAlone('provisioned');
    const health = alarmsByName(template)['dev-bank-pipeline-warehouse-unhealthy'];
    expect(health).toMatchObject({ ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(watchedMetric(health)).toMatchObject({
      Namespace: 'AWS/Redshift',
      MetricName: 'HealthStatus',
      Dimensions: [{ Name: 'ClusterIdentifier', Value: 'stand-in-cluster' }],
    });
    const body = dashboardBody(template);
    expect(body).toContain('"AWS/Redshift","CPUUtilization"');
    expect(body).not.toContain('Redshift-Serverless');
  });
});
