import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { joinedText } from '../../helpers/cross-stack';
import { loadTemplate, stageParts, TEST_STAGES } from '../../helpers/synth-pipeline';
import { synthMonitoringAlone } from './monitoring-local';

/**
 * True when `value` is a reference to `<stack part>`'s resource named like
 * `resource`, whichever cross-stack form the app uses (`Fn::ImportValue` of an
 * export, or `Fn::GetStackOutput` of a weak reference).
 */
function refersTo(value: unknown, part: string, resource: string): boolean {
  const v = value as Record<string, unknown>;
  const imported = v['Fn::ImportValue'];
  if (typeof imported === 'string')
    return imported.includes(`-bankpipe-${part}:`) && imported.includes(resource);
  const output = v['Fn::GetStackOutput'] as { StackName?: string; OutputName?: string } | undefined;
  return (
    output !== undefined &&
    (output.StackName ?? '').endsWith(`-bankpipe-${part}`) &&
    (output.OutputName ?? '').includes(resource)
  );
}

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
  return joinedText(dashboards[0].Properties.DashboardBody);
}

describe.each(TEST_STAGES)('MonitoringStack (%s, serverless warehouse)', (stage) => {
  let template: Template;
  let alarms: Record<string, Record<string, unknown>>;
  const name = (what: string): string => `${stage}-bankpipe-${what}`;

  beforeAll(() => {
    template = loadTemplate(stage, 'monitoring');
    alarms = alarmsByName(template);
  });

  it('has an alarm for every promise, each paging the alerts topic and reporting recovery', () => {
    expect(Object.keys(alarms).sort()).toEqual(
      [
        name('run-failed'),
        name('start-run-errors'),
        name('reconcile-run-errors'),
        name('crawler-status-errors'),
        name('refresh-reports-errors'),
        name('start-run-dlq-not-empty'),
        name('sink-consumer-lag'),
        name('source-connector-errored-tasks'),
        name('sink-connector-errored-tasks'),
        name('report-refresh-failed'),
        name('hours-out-of-attempts'),
        // The live fraud-alert consumer's alarms, in stages that build it.
        ...(stageParts(stage).includes('alerts')
          ? [
              'live-alerts-errors',
              'live-alerts-offset-lag',
              'live-alerts-records-given-up',
              'live-alerts-throttles',
            ].map(name)
          : []),
      ].sort(),
    );
    for (const alarm of Object.values(alarms)) {
      for (const actions of [alarm.AlarmActions, alarm.OKActions] as unknown[][]) {
        expect(actions).toHaveLength(1);
        expect(refersTo(actions[0], 'foundation', 'AlertsTopic'), JSON.stringify(actions)).toBe(true);
      }
      expect(JSON.stringify(alarm.AlarmDescription).length).toBeGreaterThan(40);
    }
  });

  it('counts failed, timed-out and aborted runs together', () => {
    const run = alarms[name('run-failed')];
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

  it('alarms when start-run has given up on an hour (its attempts ran out), keeping the state between ticks', () => {
    const outOfAttempts = alarms[name('hours-out-of-attempts')];
    expect(outOfAttempts).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'ignore',
    });
    expect(watchedMetric(outOfAttempts)).toMatchObject({
      Namespace: expect.any(String),
      MetricName: 'HoursOutOfAttempts',
      Dimensions: [{ Name: 'service', Value: 'start-run' }],
      Stat: 'Maximum',
    });
    expect(String(outOfAttempts.AlarmDescription)).toMatch(/"attempt": <next attempt>/);
  });

  it('alarms on sink consumer lag above config.monitoring.maxConsumerLag for 15 minutes', () => {
    const lag = alarms[name('sink-consumer-lag')];
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
        { Name: 'Consumer Group', Value: expect.stringMatching(/^connect-.*s3-sink/) },
        { Name: 'Topic', Value: expect.any(String) },
        { Name: 'Cluster Name', Value: expect.stringContaining(`${stage}-bankpipe`) },
      ]),
    });
  });

  it('alarms on any errored connector task, DLQ message or Lambda error', () => {
    const threshold = (alarmName: string): unknown => alarms[alarmName].Threshold;
    expect(threshold(name('sink-connector-errored-tasks'))).toBe(1);
    expect(watchedMetric(alarms[name('sink-connector-errored-tasks')])).toMatchObject({
      Namespace: 'AWS/KafkaConnect',
      MetricName: 'ErroredTaskCount',
      Dimensions: [{ Name: 'ConnectorName', Value: expect.stringMatching(/s3-sink/) }],
    });
    expect(threshold(name('start-run-dlq-not-empty'))).toBe(1);
    expect(watchedMetric(alarms[name('start-run-dlq-not-empty')])).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    expect(watchedMetric(alarms[name('refresh-reports-errors')])).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
    });
    expect(watchedMetric(alarms[name('report-refresh-failed')])).toMatchObject({
      Namespace: 'Bankpipe',
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
          InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('EMR step') }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Job State Change'],
        detail: {
          jobName: [Match.anyValue()],
          state: ['FAILED', 'TIMEOUT', 'ERROR'],
        },
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.glue'],
        'detail-type': ['Glue Crawler State Change'],
        detail: { crawlerName: Match.anyValue(), state: ['Failed'] },
      },
    });
    const crawlerRule = Object.values(template.findResources('AWS::Events::Rule')).find(
      (rule) => rule.Properties.EventPattern['detail-type'][0] === 'Glue Crawler State Change',
    );
    // Both crawlers (raw and processed) are watched.
    expect(crawlerRule?.Properties.EventPattern.detail.crawlerName).toHaveLength(2);
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    for (const rule of rules) {
      expect(refersTo(rule.Properties.Targets[0].Arn, 'foundation', 'AlertsTopic')).toBe(true);
    }
    const jobRule = rules.find(
      (rule) => rule.Properties.EventPattern['detail-type'][0] === 'Glue Job State Change',
    );
    expect(refersTo(jobRule?.Properties.EventPattern.detail.jobName[0], 'analytics', 'LoadJob')).toBe(true);
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
      '"Bankpipe","RecordsQuarantined"',
      '"Bankpipe","RawLines"',
      '"Bankpipe","HoursOutOfAttempts"',
      '"Bankpipe","LateDataReruns"',
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
    const health = alarmsByName(template)['dev-bankpipe-warehouse-unhealthy'];
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
