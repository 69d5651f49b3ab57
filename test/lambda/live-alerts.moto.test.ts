import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsLiveAlertSettings,
  createAwsAlertSink,
  createDynamoCardStateStore,
  LIVE_ALERT_TABLES,
} from '../../lambda/live-alerts/aws-ports';
import type { FraudAlertShape, LiveTransactionShape } from '../../lambda/live-alerts/live-alerts';
import { createBucket, createStringKeyTable } from '../helpers/moto-resources';
import { startMotoServer, type MotoServer } from '../helpers/moto-server';
import { fastRetry } from './aws-test-helpers';

/**
 * The live-alerts adapters (lambda/live-alerts/aws-ports.ts) with the real AWS
 * SDK against a moto server: DynamoDB GetItem and conditional PutItem (the
 * card state's version check, the alerts' "absent or not yet notified"),
 * UpdateItem, S3 PutObject of the JSON-lines archive, and SNS Publish
 * (delivered to an HTTP subscriber on 127.0.0.1 so the message can be read back). A wrong
 * parameter, an expression DynamoDB would reject, or a condition failure the
 * adapter does not recognise fails here instead of in the account.
 */

const NOW = new Date('2024-05-01T10:30:00Z');
let moto: MotoServer;
let dynamodb: DynamoDBClient;
let s3: S3Client;
let sns: SNSClient;
let settings: AwsLiveAlertSettings;
/** An HTTP subscriber on 127.0.0.1 that keeps what SNS delivers to it. */
let subscriber: Server;
let delivered: Record<string, unknown>[];

beforeAll(async () => {
  moto = await startMotoServer();
  dynamodb = new DynamoDBClient(moto.clientConfig());
  s3 = new S3Client(moto.s3ClientConfig());
  sns = new SNSClient(moto.clientConfig());
  subscriber = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      delivered.push(JSON.parse(body) as Record<string, unknown>);
      response.end();
    });
  });
  await new Promise<void>((resolve) => subscriber.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const client of [dynamodb, s3, sns]) client?.destroy();
  await new Promise((resolve) => subscriber?.close(resolve));
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  // The keys as lib/alerts/live-alerts-consumer.ts declares them (from LIVE_ALERT_TABLES).
  for (const [TableName, key] of [
    ['card-state', LIVE_ALERT_TABLES.state.partitionKey],
    ['alerts', LIVE_ALERT_TABLES.alerts.partitionKey],
  ] as const) {
    await createStringKeyTable(dynamodb, TableName, key);
  }
  await createBucket(s3, moto.region, 'processed');
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'fraud-alerts' }))).TopicArn ?? '';
  delivered = [];
  const { port } = subscriber.address() as AddressInfo;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: `http://127.0.0.1:${port}/alerts`,
    }),
  );
  settings = {
    stateTable: 'card-state',
    alertsTable: 'alerts',
    alertsTopicArn: topicArn,
    archiveBucket: 'processed',
    archivePrefix: 'live_fraud_alerts/',
    stateTtlHours: 48,
    alertTtlDays: 400,
    now: () => NOW,
    retry: fastRetry(),
  };
});

const txn = (id: string): LiveTransactionShape => ({
  transactionId: id,
  cardId: 'c-1',
  occurredAt: NOW.getTime(),
});
const alert: FraudAlertShape & { windowEnd: number } = {
  alertId: 'a1b2',
  rule: 'withdrawal_burst',
  cardId: 'c-1',
  transactionId: 't3',
  occurredAt: Date.parse('2024-05-01T10:08:00Z'),
  windowStart: Date.parse('2024-05-01T09:58:00Z'),
  windowEnd: Date.parse('2024-05-01T10:08:00Z'),
  detail: '3 withdrawals within 10 min',
};

describe('card state in DynamoDB', () => {
  it('reads an unknown card as empty, version 0', async () => {
    const store = createDynamoCardStateStore(dynamodb, settings);
    await expect(store.read('c-1')).resolves.toEqual({ history: [], version: 0 });
  });

  it('writes a new card, then only over the version it read; a stale version is a conflict', async () => {
    const store = createDynamoCardStateStore(dynamodb, settings);
    await expect(store.write('c-1', [txn('t1')], 0)).resolves.toBe('written');
    await expect(store.write('c-1', [txn('t9')], 0)).resolves.toBe('conflict');
    await expect(store.read('c-1')).resolves.toEqual({ history: [txn('t1')], version: 1 });

    await expect(store.write('c-1', [txn('t1'), txn('t2')], 1)).resolves.toBe('written');
    await expect(store.write('c-1', [txn('t8')], 1)).resolves.toBe('conflict');
    await expect(store.read('c-1')).resolves.toEqual({ history: [txn('t1'), txn('t2')], version: 2 });
  });

  it('reads and writes many cards at once: a stale version is a conflict for its card alone', async () => {
    // The requests the store sends, by command.
    const sent: string[] = [];
    const counting = {
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return dynamodb.send(command as never);
      },
    } as unknown as DynamoDBClient;
    const store = createDynamoCardStateStore(counting, settings);
    const cards = Array.from({ length: 120 }, (_, i) => `c-${i}`);
    const first = await store.writeMany(
      cards.map((cardId) => ({ cardId, history: [txn(`t-${cardId}`)], expectedVersion: 0 })),
    );
    expect([...first.values()].every((result) => result.ok && result.value === 'written')).toBe(true);
    expect(first.size).toBe(120);
    // 100 items per transaction at most, 100 keys per batched read.
    expect(sent.splice(0)).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);

    const read = await store.readMany([...cards, 'c-new']);
    expect(read.get('c-7')).toEqual({ ok: true, value: { history: [txn('t-c-7')], version: 1 } });
    expect(read.get('c-119')).toEqual({ ok: true, value: { history: [txn('t-c-119')], version: 1 } });
    expect(read.get('c-new')).toEqual({ ok: true, value: { history: [], version: 0 } });
    expect(sent.splice(0)).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);

    // c-1 is stale (version 0 expected, 1 stored): only it conflicts; c-2 and c-new are written.
    const second = await store.writeMany([
      { cardId: 'c-1', history: [txn('t-x')], expectedVersion: 0 },
      { cardId: 'c-2', history: [txn('t-c-2'), txn('t-y')], expectedVersion: 1 },
      { cardId: 'c-new', history: [txn('t-z')], expectedVersion: 0 },
    ]);
    expect(Object.fromEntries(second)).toEqual({
      'c-1': { ok: true, value: 'conflict' },
      'c-2': { ok: true, value: 'written' },
      'c-new': { ok: true, value: 'written' },
    });
    // The cancelled transaction, then the two cards not at fault in one of their own.
    expect(sent.splice(0)).toEqual(['TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    const after = await store.readMany(['c-1', 'c-2', 'c-new']);
    expect(after.get('c-1')).toEqual({ ok: true, value: { history: [txn('t-c-1')], version: 1 } });
    expect(after.get('c-2')).toEqual({
      ok: true,
      value: { history: [txn('t-c-2'), txn('t-y')], version: 2 },
    });
    expect(after.get('c-new')).toEqual({ ok: true, value: { history: [txn('t-z')], version: 1 } });
  });

  it('sets the TTL attribute stateTtlHours after the write, in epoch seconds', async () => {
    await createDynamoCardStateStore(dynamodb, settings).write('c-1', [txn('t1')], 0);
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: 'card-state', Key: { cardId: { S: 'c-1' } } }),
    );
    expect(Number(item.Item?.[LIVE_ALERT_TABLES.state.ttlAttribute]?.N)).toBe(
      NOW.getTime() / 1000 + 48 * 3600,
    );
  });
});

describe('alerts in DynamoDB, S3 and SNS', () => {
  it('records an alert once it is notified: a second record after notify is refused', async () => {
    const sink = createAwsAlertSink({ dynamodb, s3, sns }, settings);
    await expect(sink.record(alert)).resolves.toBe(true);
    // Not yet notified (a publish failed, say): the redelivered record may record it again.
    await expect(sink.record(alert)).resolves.toBe(true);
    await sink.notify(alert);
    await expect(sink.record(alert)).resolves.toBe(false);

    const item = await dynamodb.send(
      new GetItemCommand({ TableName: 'alerts', Key: { alertId: { S: 'a1b2' } } }),
    );
    expect(item.Item?.notified).toEqual({ BOOL: true });
    expect(Number(item.Item?.expiresAt?.N)).toBe(NOW.getTime() / 1000 + 400 * 86_400);
  });

  it('publishes the alert to the topic', async () => {
    const sink = createAwsAlertSink({ dynamodb, s3, sns }, settings);
    await sink.record(alert);
    await sink.notify(alert);
    const notifications = delivered.filter((body) => body.Type === 'Notification');
    expect(notifications).toHaveLength(1);
    const envelope = notifications[0] as {
      Message: string;
      Subject: string;
    };
    expect(JSON.parse(envelope.Message)).toMatchObject({ alertId: 'a1b2', rule: 'withdrawal_burst' });
    expect(envelope.Subject).toBe('Fraud alert: withdrawal_burst on card c-1');
  });

  it('archives a batch as one JSON-lines object under the prefix, partitioned by alert_date', async () => {
    const sink = createAwsAlertSink({ dynamodb, s3, sns }, settings);
    await sink.archive([alert, { ...alert, alertId: 'c3d4', transactionId: 't4' }], 'bank-transactions-0-42');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: 'processed', Prefix: 'live_fraud_alerts/' }),
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual([
      'live_fraud_alerts/alert_date=2024-05-01/bank-transactions-0-42.jsonl',
    ]);
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: 'processed', Key: listed.Contents?.[0]?.Key }))
    ).Body?.transformToString();
    const rows = (body ?? '')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toEqual([
      {
        alert_id: 'a1b2',
        rule: 'withdrawal_burst',
        card_id: 'c-1',
        transaction_id: 't3',
        occurred_at: '2024-05-01T10:08:00.000Z',
        window_start: '2024-05-01T09:58:00.000Z',
        window_end: '2024-05-01T10:08:00.000Z',
        detail: '3 withdrawals within 10 min',
      },
      expect.objectContaining({ alert_id: 'c3d4', transaction_id: 't4' }),
    ]);
  });
});
