import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import liveAlertTables from '../../contracts/live-alert-tables.json';
import { errorName } from '../shared/errors';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../shared/retry';
import type {
  AlertSink,
  CardState,
  CardStateStore,
  FraudAlertShape,
  LiveTransactionShape,
} from './live-alerts';

/**
 * The tables' key and attribute names, from contracts/live-alert-tables.json, shared with the CDK
 * construct (lib/alerts/live-alerts-consumer.ts), which declares the keys and the TTL attribute, and
 * with the local twin's moto service, which creates the same tables.
 */
export const LIVE_ALERT_TABLES: {
  readonly state: LiveAlertTableShape;
  readonly alerts: LiveAlertTableShape;
} = {
  state: tableShape('state'),
  alerts: tableShape('alerts'),
};

/** A table's string partition key and its TTL attribute (epoch seconds). */
export interface LiveAlertTableShape {
  readonly partitionKey: string;
  readonly ttlAttribute: string;
}

function tableShape(table: 'state' | 'alerts'): LiveAlertTableShape {
  const { partitionKey, ttlAttribute } = liveAlertTables[table];
  return { partitionKey, ttlAttribute };
}

export interface AwsLiveAlertSettings {
  readonly stateTable: string;
  readonly alertsTable: string;
  readonly alertsTopicArn: string;
  readonly archiveBucket: string;
  /** Key prefix of the JSON-lines archive, ending in '/'. */
  readonly archivePrefix: string;
  /** Hours a card's state lives after its last write (the table's TTL). */
  readonly stateTtlHours: number;
  /** Days an alert record is kept in the alerts table (the archive in S3 keeps them for good). */
  readonly alertTtlDays: number;
  /** Injected in tests. */
  readonly now?: () => Date;
  /** Retries of each AWS call; injected in tests. @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
}

export interface AwsLiveAlertClients {
  readonly dynamodb: DynamoDBClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
}

/**
 * Card state in DynamoDB: one item per card (`cardId`), the history as a JSON
 * string, a `version` number every write increments and checks, and
 * `expiresAt` (epoch seconds), the table's TTL attribute, so an idle card's
 * state goes away by itself.
 */
export function createDynamoCardStateStore<Txn extends LiveTransactionShape>(
  dynamodb: DynamoDBClient,
  settings: Pick<AwsLiveAlertSettings, 'stateTable' | 'stateTtlHours' | 'now' | 'retry'>,
): CardStateStore<Txn> {
  const now = settings.now ?? (() => new Date());
  const retrying = retryWith(settings.retry);
  return {
    async read(cardId: string): Promise<CardState<Txn>> {
      const result = await retrying(`reading the state of card ${cardId}`, () =>
        dynamodb.send(
          new GetItemCommand({
            TableName: settings.stateTable,
            Key: { cardId: { S: cardId } },
            // The version must be the one the conditional write checks against.
            ConsistentRead: true,
          }),
        ),
      );
      const item = result.Item;
      if (item === undefined) return { history: [], version: 0 };
      return {
        history: JSON.parse(item.history?.S ?? '[]') as Txn[],
        version: Number(item.version?.N ?? '0'),
      };
    },

    async write(cardId: string, history: Txn[], expectedVersion: number): Promise<'written' | 'conflict'> {
      const writtenAt = now();
      try {
        await retrying(`writing the state of card ${cardId}`, () =>
          dynamodb.send(
            new PutItemCommand({
              TableName: settings.stateTable,
              Item: {
                cardId: { S: cardId },
                history: { S: JSON.stringify(history) },
                version: { N: String(expectedVersion + 1) },
                updatedAt: { S: writtenAt.toISOString() },
                expiresAt: {
                  N: String(Math.floor(writtenAt.getTime() / 1000) + settings.stateTtlHours * 3600),
                },
              },
              ConditionExpression:
                expectedVersion === 0 ? 'attribute_not_exists(cardId)' : 'version = :expected',
              ExpressionAttributeValues:
                expectedVersion === 0 ? undefined : { ':expected': { N: String(expectedVersion) } },
            }),
          ),
        );
        return 'written';
      } catch (error) {
        if (isConditionFailure(error)) return 'conflict';
        throw error;
      }
    },
  };
}

/**
 * Alerts: a DynamoDB item per alert id, put only if absent or not yet
 * notified (so the id, deterministic from rule, card and window, makes a
 * redelivered record a no-op), an S3 JSON-lines object per batch under the
 * archive prefix partitioned by `alert_date=` for Athena, and an SNS message
 * per new alert, after which the item is marked notified.
 */
export function createAwsAlertSink<Alert extends FraudAlertShape>(
  clients: AwsLiveAlertClients,
  settings: AwsLiveAlertSettings,
): AlertSink<Alert> {
  const now = settings.now ?? (() => new Date());
  const retrying = retryWith(settings.retry);
  return {
    async record(alert: Alert): Promise<boolean> {
      const recordedAt = now();
      try {
        await retrying(`recording alert ${alert.alertId}`, () =>
          clients.dynamodb.send(
            new PutItemCommand({
              TableName: settings.alertsTable,
              Item: {
                alertId: { S: alert.alertId },
                rule: { S: alert.rule },
                cardId: { S: alert.cardId },
                transactionId: { S: alert.transactionId },
                occurredAt: { N: String(alert.occurredAt) },
                windowStart: { N: String(alert.windowStart) },
                alert: { S: JSON.stringify(alert) },
                recordedAt: { S: recordedAt.toISOString() },
                notified: { BOOL: false },
                expiresAt: {
                  N: String(Math.floor(recordedAt.getTime() / 1000) + settings.alertTtlDays * 86_400),
                },
              },
              ConditionExpression: 'attribute_not_exists(alertId) OR notified = :no',
              ExpressionAttributeValues: { ':no': { BOOL: false } },
            }),
          ),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async archive(alerts: Alert[], batchId: string): Promise<void> {
      const date = now().toISOString().slice(0, 10);
      const key = `${settings.archivePrefix}alert_date=${date}/${safeKeyPart(batchId)}.jsonl`;
      const body = alerts.map((alert) => JSON.stringify(archiveRow(alert))).join('\n') + '\n';
      await retrying(`archiving ${alerts.length} alerts to s3://${settings.archiveBucket}/${key}`, () =>
        clients.s3.send(
          new PutObjectCommand({
            Bucket: settings.archiveBucket,
            Key: key,
            Body: body,
            ContentType: 'application/x-ndjson',
          }),
        ),
      );
    },

    async notify(alert: Alert): Promise<void> {
      await retrying(`publishing alert ${alert.alertId}`, () =>
        clients.sns.send(
          new PublishCommand({
            TopicArn: settings.alertsTopicArn,
            Subject: `Fraud alert: ${alert.rule} on card ${alert.cardId}`.slice(0, 100),
            Message: JSON.stringify(alert, null, 2),
            MessageAttributes: {
              alertId: { DataType: 'String', StringValue: alert.alertId },
              rule: { DataType: 'String', StringValue: alert.rule },
            },
          }),
        ),
      );
      await retrying(`marking alert ${alert.alertId} notified`, () =>
        clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: settings.alertsTable,
            Key: { alertId: { S: alert.alertId } },
            UpdateExpression: 'SET notified = :yes',
            ExpressionAttributeValues: { ':yes': { BOOL: true } },
          }),
        ),
      );
    },
  };
}

/** One archive line: snake_case columns, times as ISO-8601 strings, as the Athena tables expect. */
export function archiveRow(alert: FraudAlertShape): Record<string, unknown> {
  return {
    alert_id: alert.alertId,
    rule: alert.rule,
    card_id: alert.cardId,
    transaction_id: alert.transactionId,
    occurred_at: new Date(alert.occurredAt).toISOString(),
    window_start: new Date(alert.windowStart).toISOString(),
    ...('windowEnd' in alert && typeof alert.windowEnd === 'number'
      ? { window_end: new Date(alert.windowEnd).toISOString() }
      : {}),
    detail: typeof alert.detail === 'string' ? alert.detail : JSON.stringify(alert.detail),
  };
}

function isConditionFailure(error: unknown): boolean {
  // withRetry wraps SDK errors; the SDK's own error is the cause.
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return (
    errorName(cause) === 'ConditionalCheckFailedException' ||
    errorName(error) === 'ConditionalCheckFailedException'
  );
}

function safeKeyPart(text: string): string {
  return text.replace(/[^A-Za-z0-9._=-]/g, '_');
}

/** withRetry with the settings' retry options. */
function retryWith(options: RetryOptions = DEFAULT_RETRY) {
  return <T>(doing: string, operation: () => Promise<T>): Promise<T> => withRetry(doing, operation, options);
}
