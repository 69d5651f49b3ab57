import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FraudRuleEngine } from '../../../lambda/live-alerts/live-alerts';
import { mockSdkClient } from '../aws-test-helpers';
import { atmWithdrawalLine } from '../../helpers/transaction-lines';

/**
 * The live-alerts handler end to end with the real AWS adapters on mocked SDK
 * clients. DynamoDB is a small in-memory table that evaluates the two
 * conditions the adapters send (a version check on card state, "absent or not
 * yet notified" on alerts), in single puts and in all-or-nothing transactions
 * (cancelled with a reason per item), so redelivery and write conflicts behave
 * as they would in an account. The fraud rules are a stand-in with one obvious rule
 * (three transactions of a card within a minute); the real rules have their
 * own tests (fraud-rules*.test.ts).
 */

interface Txn {
  transactionId: string;
  cardId: string;
  occurredAt: number;
}
interface Alert {
  alertId: string;
  rule: string;
  cardId: string;
  transactionId: string;
  occurredAt: number;
  windowStart: number;
  detail: unknown;
}

const BURST = 3;
const WINDOW_MS = 60_000;
const standInRules: FraudRuleEngine<Txn, Alert> = {
  parse(line) {
    try {
      const value = JSON.parse(line) as Partial<Txn>;
      if (typeof value.transactionId !== 'string' || typeof value.cardId !== 'string') {
        return { ok: false, reason: 'transactionId and cardId are required' };
      }
      if (typeof value.occurredAt !== 'number') return { ok: false, reason: 'occurredAt must be a number' };
      return { ok: true, txn: value as Txn };
    } catch {
      return { ok: false, reason: 'not JSON' };
    }
  },
  detect(history) {
    const alerts: Alert[] = [];
    for (let i = BURST - 1; i < history.length; i += 1) {
      const first = history[i - (BURST - 1)] as Txn;
      const last = history[i] as Txn;
      if (last.occurredAt - first.occurredAt <= WINDOW_MS) {
        alerts.push({
          alertId: `burst:${last.cardId}:${first.occurredAt}`,
          rule: 'burst',
          cardId: last.cardId,
          transactionId: last.transactionId,
          occurredAt: last.occurredAt,
          windowStart: first.occurredAt,
          detail: { count: BURST },
        });
      }
    }
    return alerts;
  },
  prune: (history, newest) => history.filter((t) => t.occurredAt > newest - 10 * WINDOW_MS),
};

vi.mock('../../../lambda/live-alerts/rule-engine', () => ({ fraudRuleEngine: () => standInRules }));

const dynamodb = mockSdkClient(DynamoDBClient);
const s3 = mockSdkClient(S3Client);
const sns = mockSdkClient(SNSClient);

/** Tables by name, items by their single key value. */
let tables: Map<string, Map<string, Record<string, AttributeValue>>>;

function table(name: string): Map<string, Record<string, AttributeValue>> {
  const existing = tables.get(name);
  if (existing) return existing;
  const created = new Map<string, Record<string, AttributeValue>>();
  tables.set(name, created);
  return created;
}

function keyOf(key: Record<string, AttributeValue>): string {
  return Object.values(key)[0]?.S ?? '';
}

function conditionFails(
  input: PutItemCommandInput,
  current: Record<string, AttributeValue> | undefined,
): boolean {
  const condition = input.ConditionExpression;
  const values = input.ExpressionAttributeValues ?? {};
  if (condition === 'attribute_not_exists(cardId)') return current !== undefined;
  if (condition === 'version = :expected') return current?.version?.N !== values[':expected']?.N;
  if (condition === 'attribute_not_exists(alertId) OR notified = :no') {
    return current !== undefined && current.notified?.BOOL !== false;
  }
  throw new Error(`the test table does not know the condition ${String(condition)}`);
}

function putItem(input: PutItemCommandInput): object {
  const items = table(input.TableName ?? '');
  const item = input.Item ?? {};
  const key = item.alertId?.S ?? item.cardId?.S ?? '';
  if (conditionFails(input, items.get(key))) {
    throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
  }
  items.set(key, item);
  return {};
}

/** All or nothing, as DynamoDB: one failed condition cancels every put, with a reason per item. */
function transactWriteItems(input: TransactWriteItemsCommandInput): object {
  const puts = (input.TransactItems ?? []).map((item) => item.Put as PutItemCommandInput);
  const reasons = puts.map((put) => {
    const key = put.Item?.cardId?.S ?? '';
    return {
      Code: conditionFails(put, table(put.TableName ?? '').get(key)) ? 'ConditionalCheckFailed' : 'None',
    };
  });
  if (reasons.some((reason) => reason.Code !== 'None')) {
    throw new TransactionCanceledException({
      message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
      CancellationReasons: reasons,
      $metadata: {},
    });
  }
  puts.forEach(putItem);
  return {};
}

function batchGetItem(input: BatchGetItemCommandInput): object {
  return {
    Responses: Object.fromEntries(
      Object.entries(input.RequestItems ?? {}).map(([name, request]) => [
        name,
        (request.Keys ?? []).map((key) => table(name).get(keyOf(key))).filter((item) => item !== undefined),
      ]),
    ),
    UnprocessedKeys: {},
  };
}

function kafkaValue(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
}

const T0 = Date.parse('2024-05-01T10:00:00Z');
const txn = (id: string, card: string, secondsAfter: number): Txn => ({
  transactionId: id,
  cardId: card,
  occurredAt: T0 + secondsAfter * 1000,
});

function mskEvent(records: Record<string, { offset: number; value: string | null }[]>) {
  return {
    eventSource: 'aws:kafka',
    records: Object.fromEntries(
      Object.entries(records).map(([key, list]) => [
        key,
        list.map((r) => ({
          topic: key.replace(/-\d+$/, ''),
          partition: Number(key.split('-').pop()),
          offset: r.offset,
          timestamp: T0,
          timestampType: 'CREATE_TIME',
          value: r.value,
          headers: [],
        })),
      ]),
    ),
  };
}

/** Three transactions of card c-1 within a minute (one burst alert), spread over two partitions. */
const burstEvent = mskEvent({
  'transactions-0': [
    { offset: 10, value: kafkaValue(txn('t1', 'c-1', 0)) },
    { offset: 11, value: kafkaValue(txn('t2', 'c-1', 20)) },
  ],
  'transactions-1': [{ offset: 7, value: kafkaValue(txn('t3', 'c-1', 40)) }],
});

beforeEach(() => {
  tables = new Map();
  dynamodb.reset();
  s3.reset();
  sns.reset();
  dynamodb.on(GetItemCommand).callsFake((input: GetItemCommandInput) => ({
    Item: table(input.TableName ?? '').get(keyOf(input.Key ?? {})),
  }));
  dynamodb.on(PutItemCommand).callsFake(putItem);
  dynamodb.on(BatchGetItemCommand).callsFake(batchGetItem);
  dynamodb.on(TransactWriteItemsCommand).callsFake(transactWriteItems);
  dynamodb.on(UpdateItemCommand).callsFake((input: UpdateItemCommandInput) => {
    const items = table(input.TableName ?? '');
    const key = keyOf(input.Key ?? {});
    items.set(key, { ...items.get(key), notified: { BOOL: true } });
    return {};
  });
  s3.on(PutObjectCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  vi.stubEnv('STATE_TABLE', 'card-state');
  vi.stubEnv('ALERTS_TABLE', 'alerts');
  vi.stubEnv('ALERTS_TOPIC_ARN', 'arn:aws:sns:eu-central-1:111111111111:fraud-alerts');
  vi.stubEnv('ARCHIVE_BUCKET', 'processed');
  vi.stubEnv('ARCHIVE_PREFIX', 'alerts/live/');
  vi.stubEnv('STATE_TTL_HOURS', '24');
});
afterEach(() => vi.unstubAllEnvs());

async function loadHandler() {
  return (await import('../../../lambda/live-alerts/handler')).handler;
}

describe('live-alerts handler', () => {
  it('raises one alert for a burst: recorded, archived as JSON lines, published, marked notified', async () => {
    const handler = await loadHandler();
    await expect(handler(burstEvent)).resolves.toEqual({ batchItemFailures: [] });

    const published = sns.commandCalls(PublishCommand);
    expect(published).toHaveLength(1);
    expect(published[0]?.args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:eu-central-1:111111111111:fraud-alerts',
      MessageAttributes: { alertId: { DataType: 'String', StringValue: `burst:c-1:${T0}` } },
    });
    const archived = s3.commandCalls(PutObjectCommand);
    expect(archived).toHaveLength(1);
    expect(archived[0]?.args[0].input.Key).toMatch(
      /^alerts\/live\/alert_date=\d{4}-\d{2}-\d{2}\/transactions-0-10\.jsonl$/,
    );
    expect(
      String(archived[0]?.args[0].input.Body)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      expect.objectContaining({ alert_id: `burst:c-1:${T0}`, card_id: 'c-1', transaction_id: 't3' }),
    ]);
    expect(table('alerts').get(`burst:c-1:${T0}`)?.notified).toEqual({ BOOL: true });
    const state = table('card-state').get('c-1');
    expect(JSON.parse(state?.history?.S ?? '[]')).toHaveLength(3);
    expect(state?.version).toEqual({ N: '1' });
    // TTL: epoch seconds, STATE_TTL_HOURS after the write.
    expect(Number(state?.expiresAt?.N) - Date.now() / 1000).toBeGreaterThan(24 * 3600 - 60);
    expect(Number(state?.expiresAt?.N) - Date.now() / 1000).toBeLessThanOrEqual(24 * 3600);
  });

  it('raises no second alert when the same records are delivered again', async () => {
    const handler = await loadHandler();
    await handler(burstEvent);
    await expect(handler(burstEvent)).resolves.toEqual({ batchItemFailures: [] });

    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    // The redelivered transactions are not added to the history twice.
    expect(JSON.parse(table('card-state').get('c-1')?.history?.S ?? '[]')).toHaveLength(3);
  });

  it('skips and counts bad lines without failing their records', async () => {
    const handler = await loadHandler();
    const { processBatch } = await import('../../../lambda/live-alerts/live-alerts');
    const event = mskEvent({
      'transactions-0': [
        { offset: 1, value: kafkaValue('{not json') },
        { offset: 2, value: kafkaValue({ transactionId: 't9', cardId: 'c-2' }) },
        { offset: 3, value: null },
        { offset: 4, value: kafkaValue(txn('t10', 'c-2', 0)) },
      ],
    });
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });

    const outcome = await processBatch(event, {
      rules: standInRules,
      state: {
        readMany: async (ids) =>
          new Map(ids.map((id) => [id, { ok: true, value: { history: [], version: 0 } }])),
        writeMany: async (writes) => new Map(writes.map((w) => [w.cardId, { ok: true, value: 'written' }])),
      },
      alerts: { record: async () => true, archive: async () => {}, notify: async () => {} },
      log: { info: () => {}, warn: () => {} },
    });
    expect(outcome.badLines).toEqual([
      { at: { partition: 'transactions-0', offset: 1 }, reason: 'not JSON' },
      { at: { partition: 'transactions-0', offset: 2 }, reason: 'occurredAt must be a number' },
      {
        at: { partition: 'transactions-0', offset: 3 },
        reason: 'the record has no value (tombstone or empty)',
      },
    ]);
    expect(outcome.transactionsRead).toBe(1);
    expect(JSON.parse(table('card-state').get('c-2')?.history?.S ?? '[]')).toEqual([txn('t10', 'c-2', 0)]);
  });

  it("reports exactly the failing card's records, by topic-partition key and offset", async () => {
    const handler = await loadHandler();
    const denied = Object.assign(new Error('User is not authorized to perform dynamodb:GetItem'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
    });
    // A policy that denies one card's key denies every batched read that asks for it.
    dynamodb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => {
      const keys = input.RequestItems?.['card-state']?.Keys ?? [];
      if (keys.some((key) => keyOf(key) === 'c-broken')) throw denied;
      return batchGetItem(input);
    });
    dynamodb
      .on(GetItemCommand, { TableName: 'card-state', Key: { cardId: { S: 'c-broken' } } })
      .rejects(denied);
    const event = mskEvent({
      'transactions-0': [
        { offset: 20, value: kafkaValue(txn('t20', 'c-ok', 0)) },
        { offset: 21, value: kafkaValue(txn('t21', 'c-broken', 0)) },
      ],
      'transactions-2': [
        { offset: 5, value: kafkaValue(txn('t22', 'c-broken', 1)) },
        { offset: 6, value: kafkaValue(txn('t23', 'c-ok', 1)) },
      ],
    });
    await expect(handler(event)).resolves.toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'transactions-0', offset: 21 } },
        { itemIdentifier: { partition: 'transactions-2', offset: 5 } },
      ],
    });
    expect(JSON.parse(table('card-state').get('c-ok')?.history?.S ?? '[]')).toHaveLength(2);
  });

  it('fails the records of an alert whose publication failed, and publishes it on redelivery', async () => {
    const handler = await loadHandler();
    sns.on(PublishCommand).rejectsOnce(
      Object.assign(new Error('Authorization error'), {
        name: 'AuthorizationErrorException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const first = await handler(burstEvent);
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      { partition: 'transactions-0', offset: 10 },
      { partition: 'transactions-0', offset: 11 },
      { partition: 'transactions-1', offset: 7 },
    ]);
    expect(table('alerts').get(`burst:c-1:${T0}`)?.notified).toEqual({ BOOL: false });

    await expect(handler(burstEvent)).resolves.toEqual({ batchItemFailures: [] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
    expect(table('alerts').get(`burst:c-1:${T0}`)?.notified).toEqual({ BOOL: true });
  });

  it('reads the card again and redoes the evaluation when its conditional write meets a newer version', async () => {
    const handler = await loadHandler();
    // Another invocation wrote c-1 (version 1, one transaction) between our read and our write.
    let reads = 0;
    dynamodb.on(GetItemCommand, { TableName: 'card-state' }).callsFake((input: GetItemCommandInput) => {
      reads += 1;
      const current = table('card-state').get(keyOf(input.Key ?? {}));
      if (reads === 1) {
        table('card-state').set('c-1', {
          cardId: { S: 'c-1' },
          history: { S: JSON.stringify([txn('t0', 'c-1', -10)]) },
          version: { N: '1' },
        });
      }
      return { Item: current };
    });
    const event = mskEvent({
      'transactions-0': [
        { offset: 30, value: kafkaValue(txn('t1', 'c-1', 0)) },
        { offset: 31, value: kafkaValue(txn('t2', 'c-1', 5)) },
      ],
    });
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });

    expect(reads).toBe(2);
    const state = table('card-state').get('c-1');
    expect(state?.version).toEqual({ N: '2' });
    // The retry merged the other writer's transaction: t0, t1, t2 is a burst.
    expect(JSON.parse(state?.history?.S ?? '[]').map((t: Txn) => t.transactionId)).toEqual([
      't0',
      't1',
      't2',
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it("reads the batch's cards in one request and writes them in one transaction; a conflict redoes only its card", async () => {
    const handler = await loadHandler();
    table('card-state').set('c-2', {
      cardId: { S: 'c-2' },
      history: { S: JSON.stringify([txn('t0', 'c-2', -10)]) },
      version: { N: '1' },
    });
    // Another invocation writes c-2 (version 2) between our first read and our write.
    let batchReads = 0;
    dynamodb.on(BatchGetItemCommand).callsFake((input: BatchGetItemCommandInput) => {
      batchReads += 1;
      const result = batchGetItem(input);
      if (batchReads === 1) {
        table('card-state').set('c-2', {
          cardId: { S: 'c-2' },
          history: { S: JSON.stringify([txn('t0', 'c-2', -10), txn('t00', 'c-2', -5)]) },
          version: { N: '2' },
        });
      }
      return result;
    });
    const event = mskEvent({
      'transactions-0': [
        { offset: 50, value: kafkaValue(txn('t1', 'c-1', 0)) },
        { offset: 51, value: kafkaValue(txn('t2', 'c-2', 0)) },
        { offset: 52, value: kafkaValue(txn('t3', 'c-3', 0)) },
        { offset: 53, value: kafkaValue(txn('t4', 'c-2', 5)) },
      ],
    });
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });

    // One batched read of the three cards, then c-2 alone; one transaction of three puts, cancelled,
    // then c-1 and c-3 in a transaction of their own, then c-2 alone.
    expect(dynamodb.commandCalls(BatchGetItemCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(GetItemCommand, { TableName: 'card-state' })).toHaveLength(1);
    expect(
      dynamodb
        .commandCalls(TransactWriteItemsCommand)
        .map((call) => (call.args[0].input.TransactItems ?? []).map((item) => item.Put?.Item?.cardId?.S)),
    ).toEqual([
      ['c-1', 'c-2', 'c-3'],
      ['c-1', 'c-3'],
    ]);
    expect(dynamodb.commandCalls(PutItemCommand, { TableName: 'card-state' })).toHaveLength(1);
    for (const card of ['c-1', 'c-3']) expect(table('card-state').get(card)?.version).toEqual({ N: '1' });
    const c2 = table('card-state').get('c-2');
    expect(c2?.version).toEqual({ N: '3' });
    // The redo merged the other writer's transaction: t0, t00, t2, t4 within a minute is a burst.
    expect(JSON.parse(c2?.history?.S ?? '[]').map((t: Txn) => t.transactionId)).toEqual([
      't0',
      't00',
      't2',
      't4',
    ]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('gives a card up after its bounded write attempts all conflict, failing only its records', async () => {
    const handler = await loadHandler();
    dynamodb
      .on(PutItemCommand, { TableName: 'card-state' })
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );
    const event = mskEvent({ 'transactions-0': [{ offset: 40, value: kafkaValue(txn('t1', 'c-hot', 0)) }] });
    await expect(handler(event)).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'transactions-0', offset: 40 } }],
    });
    expect(dynamodb.commandCalls(GetItemCommand, { TableName: 'card-state' })).toHaveLength(5);
  });

  it('raises the real withdrawal_burst rule once, and a non-ATM line is skipped without counting as bad', async () => {
    const { fraudRuleEngine } = await vi.importActual<
      typeof import('../../../lambda/live-alerts/rule-engine')
    >('../../../lambda/live-alerts/rule-engine');
    const { processBatch } = await import('../../../lambda/live-alerts/live-alerts');
    const { createAwsAlertSink, createDynamoCardStateStore } =
      await import('../../../lambda/live-alerts/aws-ports');
    const settings = {
      stateTable: 'card-state',
      alertsTable: 'alerts',
      alertsTopicArn: 'arn:aws:sns:eu-central-1:111111111111:fraud-alerts',
      archiveBucket: 'processed',
      archivePrefix: 'live_fraud_alerts/',
      stateTtlHours: 48,
      alertTtlDays: 400,
    };
    const ports = {
      rules: fraudRuleEngine(),
      state: createDynamoCardStateStore(new DynamoDBClient({}), settings),
      alerts: createAwsAlertSink(
        { dynamodb: new DynamoDBClient({}), s3: new S3Client({}), sns: new SNSClient({}) },
        settings,
      ),
      log: { info: () => {}, warn: () => {} },
    };
    const withdrawal = (id: string, minute: number) =>
      atmWithdrawalLine(id, `2024-05-01T10:0${minute}:00Z`, { card_id: 'card-9' });
    const transfer = {
      ...withdrawal('x-1', 0),
      channel: 'online',
      operation: 'transfer_out',
      atm_id: undefined,
    };
    const event = mskEvent({
      'transactions-0': [
        { offset: 1, value: kafkaValue(withdrawal('w-1', 0)) },
        { offset: 2, value: kafkaValue(withdrawal('w-2', 3)) },
        { offset: 3, value: kafkaValue(transfer) },
        { offset: 4, value: kafkaValue(withdrawal('w-3', 6)) },
      ],
    });

    const first = await processBatch(event, ports);
    expect(first.badLines).toEqual([]);
    expect(first.linesNotApplicable).toBe(1);
    expect(first.alertsRaised.map((a) => [a.rule, a.cardId, a.transactionId])).toEqual([
      ['withdrawal_burst', 'card-9', 'w-3'],
    ]);
    const again = await processBatch(event, ports);
    expect(again.alertsRaised).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('refuses to load without STATE_TABLE', async () => {
    vi.stubEnv('STATE_TABLE', '');
    await expect(loadHandler()).rejects.toThrow(/STATE_TABLE is missing/);
  });
});
