import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  type Put,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import liveAlertTables from '../../contracts/live-alert-tables.json';
import { errorName } from '../shared/errors';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../shared/retry';
import type {
  AlertSink,
  CardOutcome,
  CardState,
  CardStateStore,
  CardWrite,
  FraudAlertShape,
  LiveTransactionShape,
  WriteResult,
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
 * DynamoDB's request limits: BatchGetItem reads at most 100 keys, TransactWriteItems writes at most 100
 * items and 4 MB in all (a margin is kept below it for the request's own attributes).
 */
const BATCH_GET_MAX_KEYS = 100;
const TRANSACTION_MAX_ITEMS = 100;
const TRANSACTION_MAX_HISTORY_CHARS = 3_500_000;
/** Rounds of BatchGetItem's unprocessed keys (throttled reads) before they are read one by one. */
const UNPROCESSED_KEY_ROUNDS = 4;

/** The card store of the batch logic, plus its one-card operations (the building blocks, and tested alone). */
export interface DynamoCardStateStore<Txn> extends CardStateStore<Txn> {
  read(cardId: string): Promise<CardState<Txn>>;
  write(cardId: string, history: Txn[], expectedVersion: number): Promise<WriteResult>;
}

/**
 * Card state in DynamoDB: one item per card (`cardId`), the history as a JSON
 * string, a `version` number every write increments and checks, and
 * `expiresAt` (epoch seconds), the table's TTL attribute, so an idle card's
 * state goes away by itself.
 *
 * A batch's cards are read with BatchGetItem (strongly consistent, 100 keys a
 * request) and written with TransactWriteItems (one conditional Put per card,
 * 100 a request): two requests per batch of cards instead of two per card. A
 * transaction is all or nothing, so when it is cancelled the cards whose
 * version check failed are conflicts and the others are written again in a
 * transaction of their own (a transactional put costs two write request units
 * where a plain one costs one: requests are traded for units, which on-demand
 * pricing counts). When a batched request fails as a whole (a
 * permission, a throttle that outlasted the retries), its cards are read or
 * written one by one, so only the card that is really at fault fails.
 */
export function createDynamoCardStateStore<Txn extends LiveTransactionShape>(
  dynamodb: DynamoDBClient,
  settings: Pick<AwsLiveAlertSettings, 'stateTable' | 'stateTtlHours' | 'now' | 'retry'>,
): DynamoCardStateStore<Txn> {
  const now = settings.now ?? (() => new Date());
  const retrying = retryWith(settings.retry);
  const stateOf = (item: Record<string, AttributeValue> | undefined): CardState<Txn> =>
    item === undefined
      ? { history: [], version: 0 }
      : {
          history: JSON.parse(item.history?.S ?? '[]') as Txn[],
          version: Number(item.version?.N ?? '0'),
        };
  const statePut = ({ cardId, history, expectedVersion }: CardWrite<Txn>, writtenAt: Date): Put => ({
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
    ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(cardId)' : 'version = :expected',
    ExpressionAttributeValues:
      expectedVersion === 0 ? undefined : { ':expected': { N: String(expectedVersion) } },
  });

  const read = async (cardId: string): Promise<CardState<Txn>> => {
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
    return stateOf(result.Item);
  };

  const write = async (cardId: string, history: Txn[], expectedVersion: number): Promise<WriteResult> => {
    try {
      await retrying(`writing the state of card ${cardId}`, () =>
        dynamodb.send(new PutItemCommand(statePut({ cardId, history, expectedVersion }, now()))),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw error;
    }
  };

  /** Each item on its own, one outcome per card: what fails is that card's failure only. */
  const oneByOne = async <Item, T>(
    items: readonly Item[],
    cardOf: (item: Item) => string,
    operation: (item: Item) => Promise<T>,
    into: Map<string, CardOutcome<T>>,
  ): Promise<void> => {
    for (const item of items) {
      try {
        into.set(cardOf(item), { ok: true, value: await operation(item) });
      } catch (error) {
        into.set(cardOf(item), { ok: false, error });
      }
    }
  };
  const byId = (cardId: string): string => cardId;
  const ofWrite = (w: CardWrite<Txn>): string => w.cardId;
  const writeOne = (w: CardWrite<Txn>): Promise<WriteResult> => write(w.cardId, w.history, w.expectedVersion);

  /** One BatchGetItem of at most 100 cards, its unprocessed keys asked again a few rounds. */
  const readChunk = async (cardIds: readonly string[], into: Map<string, CardOutcome<CardState<Txn>>>) => {
    let keys: KeysAndAttributes | undefined = {
      Keys: cardIds.map((cardId) => ({ cardId: { S: cardId } })),
      // The version must be the one the conditional write checks against.
      ConsistentRead: true,
    };
    const found = new Map<string, Record<string, AttributeValue>>();
    for (let round = 0; keys?.Keys !== undefined && keys.Keys.length > 0; round += 1) {
      if (round >= UNPROCESSED_KEY_ROUNDS) break;
      const request: KeysAndAttributes = keys;
      const result = await retrying(`reading the state of ${cardIds.length} cards`, () =>
        dynamodb.send(new BatchGetItemCommand({ RequestItems: { [settings.stateTable]: request } })),
      );
      for (const item of result.Responses?.[settings.stateTable] ?? []) {
        const cardId = item.cardId?.S;
        if (cardId !== undefined) found.set(cardId, item);
      }
      keys = result.UnprocessedKeys?.[settings.stateTable];
    }
    const unprocessed = new Set((keys?.Keys ?? []).map((key) => key.cardId?.S));
    for (const cardId of cardIds) {
      if (!unprocessed.has(cardId)) into.set(cardId, { ok: true, value: stateOf(found.get(cardId)) });
    }
    const left = cardIds.filter((cardId) => unprocessed.has(cardId));
    await oneByOne(left, byId, read, into);
  };

  /** One TransactWriteItems; when cancelled, the cards not at fault are written again without them. */
  const writeChunk = async (
    writes: readonly CardWrite<Txn>[],
    into: Map<string, CardOutcome<WriteResult>>,
  ) => {
    let pending = writes;
    while (pending.length > 1) {
      const writtenAt = now();
      const batch = pending;
      try {
        await retrying(`writing the state of ${batch.length} cards`, () =>
          dynamodb.send(
            new TransactWriteItemsCommand({
              TransactItems: batch.map((w) => ({ Put: statePut(w, writtenAt) })),
            }),
          ),
        );
        for (const w of batch) into.set(w.cardId, { ok: true, value: 'written' });
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined || reasons.length !== batch.length) break;
        const conflicts = batch.filter((_, i) => CONFLICT_CODES.has(reasons[i] ?? ''));
        // Nothing of its own failed the transaction (a throttled item, say): one by one from here.
        if (conflicts.length === 0) break;
        for (const w of conflicts) into.set(w.cardId, { ok: true, value: 'conflict' });
        pending = batch.filter((_, i) => !CONFLICT_CODES.has(reasons[i] ?? ''));
      }
    }
    await oneByOne(pending, ofWrite, writeOne, into);
  };

  return {
    read,
    write,

    async readMany(cardIds: readonly string[]): Promise<Map<string, CardOutcome<CardState<Txn>>>> {
      const states = new Map<string, CardOutcome<CardState<Txn>>>();
      if (cardIds.length === 1) {
        await oneByOne(cardIds, byId, read, states);
        return states;
      }
      for (let start = 0; start < cardIds.length; start += BATCH_GET_MAX_KEYS) {
        const chunk = cardIds.slice(start, start + BATCH_GET_MAX_KEYS);
        try {
          await readChunk(chunk, states);
        } catch {
          // A batched read that fails as a whole: each card on its own, so only a card at fault fails.
          const left = chunk.filter((cardId) => !states.has(cardId));
          await oneByOne(left, byId, read, states);
        }
      }
      return states;
    },

    async writeMany(writes: readonly CardWrite<Txn>[]): Promise<Map<string, CardOutcome<WriteResult>>> {
      const results = new Map<string, CardOutcome<WriteResult>>();
      for (const chunk of transactionChunks(writes)) {
        try {
          await writeChunk(chunk, results);
        } catch {
          // A batched write that fails as a whole: each card on its own, so only a card at fault fails.
          const left = chunk.filter((w) => !results.has(w.cardId));
          await oneByOne(left, ofWrite, writeOne, results);
        }
      }
      return results;
    },
  };
}

/** Cancellation reasons that mean another writer got to the card first: read it again. */
const CONFLICT_CODES = new Set(['ConditionalCheckFailed', 'TransactionConflict']);

/** The per-item codes of a cancelled transaction, in the order of its items; undefined for any other error. */
function cancellationReasons(error: unknown): string[] | undefined {
  const cause = sdkError(error);
  if (errorName(cause) !== 'TransactionCanceledException') return undefined;
  const reasons = (cause as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((reason) => reason.Code ?? 'None');
}

/** Writes in transactions within DynamoDB's item count and size limits. */
function transactionChunks<Txn>(writes: readonly CardWrite<Txn>[]): CardWrite<Txn>[][] {
  const chunks: CardWrite<Txn>[][] = [];
  let current: CardWrite<Txn>[] = [];
  let chars = 0;
  for (const w of writes) {
    const size = JSON.stringify(w.history).length;
    if (
      current.length > 0 &&
      (current.length >= TRANSACTION_MAX_ITEMS || chars + size > TRANSACTION_MAX_HISTORY_CHARS)
    ) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(w);
    chars += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
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

/** The SDK's own error: withRetry wraps it, as the cause of what it throws. */
function sdkError(error: unknown): unknown {
  return error instanceof Error && error.cause !== undefined ? error.cause : error;
}

function isConditionFailure(error: unknown): boolean {
  const cause = sdkError(error);
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
