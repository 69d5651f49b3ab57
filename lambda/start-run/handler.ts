import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { clientConfig, s3ClientConfig } from '../shared/clients';
import { integerEnv, requireEnv } from '../shared/config';
import { fromPowertools } from '../shared/log';
import { createObservability, runInvocation } from '../shared/powertools';
import { createAwsRunStarter } from './aws-ports';
import { START_RUN_METRICS } from './metrics';
import {
  LEASE_MARGIN_SECONDS,
  MAX_RUN_ATTEMPTS,
  type StartRunReport,
  type StartRunSettings,
  startRuns,
} from './start-run';

/** The part of the Lambda context start-run reads: how long this invocation may still run. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/**
 * start-run: invoked by the EventBridge schedule, by the end of each run, and by hand for backfills.
 * Thin: reads settings, builds clients, delegates to startRuns().
 */
const env = process.env;
const settings: Omit<StartRunSettings, 'leaseSeconds'> = {
  lookbackHours: integerEnv(env, 'LOOKBACK_HOURS', 'the number of closed hours examined per invocation', {
    min: 1,
    max: 168,
    fallback: 24,
  }),
  closeDelayMinutes: integerEnv(
    env,
    'CLOSE_DELAY_MINUTES',
    'the longest wait, in minutes after an hour ends, for the S3 sink to flush it before it is processed',
    {
      min: 0,
      max: 720,
      fallback: 10,
    },
  ),
  claimTtlDays: integerEnv(env, 'CLAIM_TTL_DAYS', 'the days a run claim is kept', {
    min: 91,
    max: 3650,
    fallback: 400,
  }),
  maxRunAttempts: integerEnv(
    env,
    'MAX_RUN_ATTEMPTS',
    'the attempts in a row that may fail before an hour is left for a human (orchestration.maxRunAttempts)',
    MAX_RUN_ATTEMPTS,
  ),
};
const { logger, metrics, tracer } = createObservability('start-run');
const log = fromPowertools(logger);
const ports = createAwsRunStarter(
  {
    s3: tracer.captureAWSv3Client(new S3Client(s3ClientConfig())),
    dynamodb: tracer.captureAWSv3Client(new DynamoDBClient(clientConfig())),
    sfn: tracer.captureAWSv3Client(new SFNClient(clientConfig())),
  },
  {
    rawBucket: requireEnv(env, 'RAW_BUCKET', 'the name of the raw-zone bucket'),
    runsTable: requireEnv(env, 'RUNS_TABLE', 'the name of the DynamoDB runs ledger'),
    stateMachineArn: requireEnv(env, 'STATE_MACHINE_ARN', 'the ARN of the run state machine'),
  },
);

export async function handler(event: unknown, context: InvocationContext): Promise<StartRunReport> {
  const failure = { message: 'start-run failed', metric: 'StartRunFailures' };
  return runInvocation({ logger, metrics }, failure, async () => {
    // The lease lasts as long as this invocation can (the function's timeout), plus a margin.
    const leaseSeconds = Math.ceil(context.getRemainingTimeInMillis() / 1000) + LEASE_MARGIN_SECONDS;
    const report = await startRuns(event, new Date(), ports, { ...settings, leaseSeconds }, log);
    const count = (outcome: string): number => report.windows.filter((w) => w.outcome === outcome).length;
    metrics.addMetric('RunsStarted', MetricUnit.Count, count('started'));
    metrics.addMetric('DuplicateRunRequests', MetricUnit.Count, count('already-started'));
    metrics.addMetric('WindowsWithoutData', MetricUnit.Count, count('no-data'));
    if (report.busyWith === undefined && report.leaseHeldBy === undefined) {
      // Only when the hours were examined: a tick during a run or under another invocation's lease
      // knows nothing new (the alarm keeps its state).
      metrics.addMetric(START_RUN_METRICS.hoursOutOfAttempts, MetricUnit.Count, count('out-of-attempts'));
    }
    const started = report.windows.filter((w) => w.outcome === 'started');
    metrics.addMetric('RunsRetried', MetricUnit.Count, started.filter((w) => w.reason === 'retry').length);
    metrics.addMetric(
      'LateDataReruns',
      MetricUnit.Count,
      started.filter((w) => w.reason === 'late-data').length,
    );
    return report;
  });
}
