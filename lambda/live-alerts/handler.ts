import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { clientConfig, s3ClientConfig } from '../shared/clients';
import { integerEnv, requireEnv } from '../shared/config';
import { fromPowertools } from '../shared/log';
import { createObservability } from '../shared/powertools';
import { createAwsAlertSink, createDynamoCardStateStore } from './aws-ports';
import { type KafkaBatch, type KafkaItemIdentifier, processBatch } from './live-alerts';
import { LIVE_ALERT_METRICS } from './metrics';
import { fraudRuleEngine } from './rule-engine';

/** What the MSK event source mapping reads back with ReportBatchItemFailures on. */
export interface LiveAlertsResponse {
  batchItemFailures: { itemIdentifier: KafkaItemIdentifier }[];
}

/**
 * live-alerts: invoked by the MSK event source mapping of the transactions
 * topic. Thin: reads settings, builds clients, delegates to processBatch().
 */
const env = process.env;
const { logger, metrics, tracer } = createObservability('live-alerts');
const log = fromPowertools(logger);
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient(clientConfig()));
const settings = {
  stateTable: requireEnv(env, 'STATE_TABLE', 'the name of the DynamoDB card-state table'),
  alertsTable: requireEnv(env, 'ALERTS_TABLE', 'the name of the DynamoDB alerts table'),
  alertsTopicArn: requireEnv(env, 'ALERTS_TOPIC_ARN', 'the ARN of the fraud-alerts SNS topic'),
  archiveBucket: requireEnv(env, 'ARCHIVE_BUCKET', 'the bucket of the alerts archive (JSON lines)'),
  archivePrefix: requireEnv(env, 'ARCHIVE_PREFIX', "the key prefix of the alerts archive, ending in '/'"),
  stateTtlHours: integerEnv(
    env,
    'STATE_TTL_HOURS',
    'the hours an idle card state is kept (liveAlerts.stateTtlHours)',
    {
      min: 1,
      max: 8760,
    },
  ),
  alertTtlDays: integerEnv(env, 'ALERT_TTL_DAYS', 'the days an alert record is kept in the alerts table', {
    min: 1,
    max: 3650,
    fallback: 400,
  }),
};
const engine = fraudRuleEngine();
const state = createDynamoCardStateStore(dynamodb, settings);
const alerts = createAwsAlertSink(
  {
    dynamodb,
    s3: tracer.captureAWSv3Client(new S3Client(s3ClientConfig())),
    sns: tracer.captureAWSv3Client(new SNSClient(clientConfig())),
  },
  settings,
);

export async function handler(event: KafkaBatch): Promise<LiveAlertsResponse> {
  try {
    const outcome = await processBatch(event, { rules: engine, state, alerts, log });
    for (const bad of outcome.badLines) log.warn('bad line skipped', { ...bad.at, reason: bad.reason });
    metrics.addMetric(LIVE_ALERT_METRICS.badLines, MetricUnit.Count, outcome.badLines.length);
    metrics.addMetric(LIVE_ALERT_METRICS.alertsRaised, MetricUnit.Count, outcome.alertsRaised.length);
    metrics.addMetric(LIVE_ALERT_METRICS.stateConflicts, MetricUnit.Count, outcome.stateConflicts);
    metrics.addMetric(LIVE_ALERT_METRICS.failedRecords, MetricUnit.Count, outcome.batchItemFailures.length);
    log.info('batch processed', {
      records: outcome.recordsRead,
      transactions: outcome.transactionsRead,
      badLines: outcome.badLines.length,
      linesNotApplicable: outcome.linesNotApplicable,
      cards: outcome.cardsProcessed,
      alertsRaised: outcome.alertsRaised.map((a) => a.alertId),
      failedRecords: outcome.batchItemFailures.length,
    });
    return { batchItemFailures: outcome.batchItemFailures };
  } catch (error) {
    // Unexpected (a bug, not one card's trouble): the whole batch is retried by the event source.
    logger.error('live-alerts failed', { error });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
