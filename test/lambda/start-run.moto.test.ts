import { DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsRunStarter, snapshotOf } from '../../lambda/start-run/aws-ports';
import { SINK_WATERMARK_PREFIX } from '../../lambda/start-run/sink-watermarks';
import type { RunInput } from '../../lambda/shared/run-input';
import {
  type RunClaim,
  type RunStarter,
  START_RUN_LEASE_KEY,
  startRuns,
} from '../../lambda/start-run/start-run';
import { createBucket, createStringKeyTable, createSucceedingStateMachine } from '../helpers/moto-resources';
import { fastRetry, memoryLog, motoPerFile } from './aws-test-helpers';

/**
 * The start-run adapters (lambda/start-run/aws-ports.ts) with the real AWS SDK
 * against a moto server: S3 ListObjectsV2 (one page and many), DynamoDB
 * GetItem, conditional PutItem, UpdateItem and DeleteItem (moto evaluates the
 * condition, update and REMOVE/ADD expressions), Step Functions ListExecutions,
 * StartExecution and DescribeExecution. A wrong parameter name or shape, an
 * expression DynamoDB would reject, or an error the adapter does not
 * recognise fails here instead of in the account. The unit tests
 * (start-run.test.ts) keep aws-sdk-client-mock for the logic's branches.
 */

const RAW_BUCKET = 'dev-raw';
const RUNS_TABLE = 'dev-runs';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/run-state-machine';

const aws = motoPerFile((moto) => ({
  s3: new S3Client(moto.s3ClientConfig()),
  dynamodb: new DynamoDBClient(moto.clientConfig()),
  sfn: new SFNClient(moto.clientConfig()),
}));
let stateMachineArn: string;
let ports: RunStarter;

beforeEach(async () => {
  await createBucket(aws.s3, aws.moto.region, RAW_BUCKET);
  // The ledger's key as lib/orchestration/orchestration-run-trigger.ts declares it.
  await createStringKeyTable(aws.dynamodb, RUNS_TABLE, 'runId');
  stateMachineArn = await createSucceedingStateMachine(aws.sfn, 'dev-bankpipe-run', ROLE_ARN);
  ports = createAwsRunStarter(aws, { rawBucket: RAW_BUCKET, runsTable: RUNS_TABLE, stateMachineArn });
});

const RUN_ID = 'run-2024-05-01T11';
const PREFIX = 'transactions/year=2024/month=05/day=01/hour=11/';
const snapshot = { objects: 2, bytes: 300, fingerprint: 'f'.repeat(64) };

function claimOf(attempt: number, overrides: Partial<RunClaim> = {}): RunClaim {
  return {
    runId: RUN_ID,
    window: '2024-05-01T11',
    rawPrefix: PREFIX,
    attempt,
    executionName: attempt === 1 ? RUN_ID : `${RUN_ID}-a${attempt}`,
    reason: attempt === 1 ? 'new-hour' : 'retry',
    claimedAt: '2024-05-01T12:15:03.000Z',
    expiresAt: 1_749_039_303,
    raw: snapshot,
    failedAttempts: attempt - 1,
    ...overrides,
  };
}

function inputOf(attempt: number): RunInput {
  const claim = claimOf(attempt);
  return {
    runId: RUN_ID,
    attempt,
    executionName: claim.executionName,
    rawPrefix: PREFIX,
    window: claim.window,
  };
}

async function putObject(key: string, body: string): Promise<void> {
  await aws.s3.send(new PutObjectCommand({ Bucket: RAW_BUCKET, Key: key, Body: Buffer.from(body) }));
}

async function ledgerItem(runId = RUN_ID): Promise<Record<string, unknown> | undefined> {
  const { Item } = await aws.dynamodb.send(
    new GetItemCommand({ TableName: RUNS_TABLE, Key: { runId: { S: runId } }, ConsistentRead: true }),
  );
  return Item;
}

/** Claims attempt `attempt`, starts it, and records how it ended. */
async function endedAttempt(attempt: number, outcome: 'SUCCEEDED' | 'FAILED'): Promise<void> {
  expect(await ports.claimRun(claimOf(attempt))).toEqual({ outcome: 'claimed' });
  await ports.markStarted(RUN_ID, `arn:aws:states:eu-central-1:123456789012:execution:m:${attempt}`);
  await ports.recordOutcome(RUN_ID, attempt, outcome, `${outcome.toLowerCase()} (test)`);
}

describe('hasRawData and rawSnapshot (S3 ListObjectsV2)', () => {
  it('finds no data in an empty hour', async () => {
    await expect(ports.hasRawData(PREFIX)).resolves.toBe(false);
    await expect(ports.rawSnapshot(PREFIX)).resolves.toEqual(snapshotOf([]));
  });

  it('ignores folder markers and empty files, and data of other hours', async () => {
    await putObject(PREFIX, '');
    await putObject(`${PREFIX}part-0.jsonl`, '');
    await putObject('transactions/year=2024/month=05/day=01/hour=10/part-0.jsonl', '{"a":1}\n');
    await expect(ports.hasRawData(PREFIX)).resolves.toBe(false);
    await expect(ports.rawSnapshot(PREFIX)).resolves.toMatchObject({ objects: 0, bytes: 0 });
  });

  it('sums the non-empty objects of the hour, with a fingerprint of their keys and sizes', async () => {
    await putObject(`${PREFIX}part-0.jsonl`, '{"a":1}\n');
    await putObject(`${PREFIX}part-1.jsonl`, '{"a":22}\n{"a":3}\n');
    await putObject(`${PREFIX}empty.jsonl`, '');
    await expect(ports.hasRawData(PREFIX)).resolves.toBe(true);
    await expect(ports.rawSnapshot(PREFIX)).resolves.toEqual(
      snapshotOf([
        { Key: `${PREFIX}part-0.jsonl`, Size: 8 },
        { Key: `${PREFIX}part-1.jsonl`, Size: 17 },
      ]),
    );
  });

  it('reads every page of a prefix holding more objects than one listing returns (1,000)', async () => {
    const keys = Array.from({ length: 1_005 }, (_, i) => `${PREFIX}part-${String(i).padStart(4, '0')}.jsonl`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => putObject(key, 'x\n')));
    }
    await expect(ports.rawSnapshot(PREFIX)).resolves.toEqual(
      snapshotOf(keys.map((Key) => ({ Key, Size: 2 }))),
    );
  });

  it('finds data that only a later page holds: the first 1,000 keys are empty files', async () => {
    const empty = Array.from({ length: 1_000 }, (_, i) => `${PREFIX}a-${String(i).padStart(4, '0')}.jsonl`);
    for (let i = 0; i < empty.length; i += 50) {
      await Promise.all(empty.slice(i, i + 50).map((key) => putObject(key, '')));
    }
    await putObject(`${PREFIX}b-late.jsonl`, '{"a":1}\n');
    await expect(ports.hasRawData(PREFIX)).resolves.toBe(true);
  });

  it("reads every S3 sink watermark, and nothing of the hours' data", async () => {
    const body = (partition: number): string =>
      JSON.stringify({ topic: 'bank-transactions', partition, flushedThrough: '2024-05-01T11:00:00Z' });
    await putObject(`${SINK_WATERMARK_PREFIX}bank-transactions-0.json`, body(0));
    await putObject(`${SINK_WATERMARK_PREFIX}bank-transactions-1.json`, body(1));
    await putObject(`${PREFIX}part-0.jsonl`, '{"a":1}\n');
    const marks = await ports.sinkWatermarks();
    expect(marks.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: `${SINK_WATERMARK_PREFIX}bank-transactions-0.json`, body: body(0) },
      { key: `${SINK_WATERMARK_PREFIX}bank-transactions-1.json`, body: body(1) },
    ]);
  });

  it('lets a missing bucket fail as the SDK reports it', async () => {
    const elsewhere = createAwsRunStarter(aws, {
      rawBucket: 'no-such-bucket',
      runsTable: RUNS_TABLE,
      stateMachineArn,
    });
    await expect(elsewhere.hasRawData(PREFIX)).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await expect(elsewhere.rawSnapshot(PREFIX)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('claimRun and readRun (DynamoDB conditional writes)', () => {
  it('reads an hour without a record as undefined', async () => {
    await expect(ports.readRun(RUN_ID)).resolves.toBeUndefined();
  });

  it('records attempt 1 with every ledger attribute, numbers as numbers, and reads it back', async () => {
    await expect(ports.claimRun(claimOf(1))).resolves.toEqual({ outcome: 'claimed' });
    expect(await ledgerItem()).toEqual({
      runId: { S: RUN_ID },
      window: { S: '2024-05-01T11' },
      rawPrefix: { S: PREFIX },
      attempt: { N: '1' },
      executionName: { S: RUN_ID },
      reason: { S: 'new-hour' },
      status: { S: 'CLAIMED' },
      claimedAt: { S: '2024-05-01T12:15:03.000Z' },
      expiresAt: { N: '1749039303' },
      failedAttempts: { N: '0' },
      rawObjects: { N: '2' },
      rawBytes: { N: '300' },
      rawFingerprint: { S: snapshot.fingerprint },
    });
    await expect(ports.readRun(RUN_ID)).resolves.toEqual({
      runId: RUN_ID,
      window: '2024-05-01T11',
      attempt: 1,
      executionName: RUN_ID,
      status: 'CLAIMED',
      failedAttempts: 0,
      raw: snapshot,
    });
  });

  it('never overwrites attempt 1: a second claim reports the first (ConditionalCheckFailed with ALL_OLD)', async () => {
    await ports.claimRun(claimOf(1));
    await expect(ports.claimRun(claimOf(1, { claimedAt: '2024-05-01T13:15:00.000Z' }))).resolves.toEqual({
      outcome: 'exists',
      status: 'CLAIMED',
      attempt: 1,
    });
    expect((await ledgerItem())?.claimedAt).toEqual({ S: '2024-05-01T12:15:03.000Z' });
    await ports.markStarted(RUN_ID, 'arn:aws:states:eu-central-1:123456789012:execution:m:x');
    await expect(ports.claimRun(claimOf(1))).resolves.toEqual({
      outcome: 'exists',
      status: 'STARTED',
      attempt: 1,
    });
  });

  it('refuses attempt 2 while attempt 1 has not ended', async () => {
    await ports.claimRun(claimOf(1));
    await ports.markStarted(RUN_ID, 'arn:aws:states:eu-central-1:123456789012:execution:m:x');
    await expect(ports.claimRun(claimOf(2))).resolves.toEqual({
      outcome: 'exists',
      status: 'STARTED',
      attempt: 1,
    });
    expect((await ledgerItem())?.attempt).toEqual({ N: '1' });
  });

  it('claims attempt 2 on top of an ended attempt 1, replacing its fields and removing its end', async () => {
    await endedAttempt(1, 'FAILED');
    expect(await ledgerItem()).toMatchObject({
      executionArn: expect.anything(),
      finishedAt: expect.anything(),
    });
    await expect(ports.claimRun(claimOf(2))).resolves.toEqual({ outcome: 'claimed' });
    const item = await ledgerItem();
    expect(item).toMatchObject({
      attempt: { N: '2' },
      executionName: { S: `${RUN_ID}-a2` },
      reason: { S: 'retry' },
      status: { S: 'CLAIMED' },
      failedAttempts: { N: '1' },
    });
    expect(item).not.toHaveProperty('executionArn');
    expect(item).not.toHaveProperty('finishedAt');
    expect(item).not.toHaveProperty('outcome');
    // The same attempt again, or one that skips a number, finds attempt 2 in place.
    await expect(ports.claimRun(claimOf(2))).resolves.toEqual({
      outcome: 'exists',
      status: 'CLAIMED',
      attempt: 2,
    });
    await expect(ports.claimRun(claimOf(4))).resolves.toEqual({
      outcome: 'exists',
      status: 'CLAIMED',
      attempt: 2,
    });
  });

  it('takes a record written before attempts were recorded as attempt 1', async () => {
    await aws.dynamodb.send(
      new PutItemCommand({
        TableName: RUNS_TABLE,
        Item: {
          runId: { S: RUN_ID },
          window: { S: '2024-05-01T11' },
          rawPrefix: { S: PREFIX },
          status: { S: 'SUCCEEDED' },
          claimedAt: { S: '2024-05-01T12:15:03.000Z' },
          expiresAt: { N: '1749039303' },
        },
      }),
    );
    await expect(ports.readRun(RUN_ID)).resolves.toEqual({
      runId: RUN_ID,
      window: '2024-05-01T11',
      attempt: 1,
      executionName: RUN_ID,
      status: 'SUCCEEDED',
      failedAttempts: 0,
    });
    await expect(ports.claimRun(claimOf(2, { reason: 'late-data', failedAttempts: 0 }))).resolves.toEqual({
      outcome: 'claimed',
    });
  });

  it('lets a missing table fail as the SDK reports it', async () => {
    await aws.dynamodb.send(new DeleteTableCommand({ TableName: RUNS_TABLE }));
    await expect(ports.claimRun(claimOf(1))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(ports.readRun(RUN_ID)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('acquireLease and releaseLease (DynamoDB conditional PutItem and DeleteItem)', () => {
  it('refuses a second holder while the lease is live, and lets it take over once it has lapsed', async () => {
    await expect(ports.acquireLease({ holder: 'a', now: 1000, expiresAt: 1150 })).resolves.toEqual({
      outcome: 'acquired',
    });
    expect(await ledgerItem(START_RUN_LEASE_KEY)).toEqual({
      runId: { S: START_RUN_LEASE_KEY },
      holder: { S: 'a' },
      acquiredAt: { N: '1000' },
      expiresAt: { N: '1150' },
    });
    // Up to and including its expiry second the lease is live.
    await expect(ports.acquireLease({ holder: 'b', now: 1150, expiresAt: 1300 })).resolves.toEqual({
      outcome: 'held',
      holder: 'a',
      expiresAt: 1150,
    });
    await expect(ports.acquireLease({ holder: 'b', now: 1151, expiresAt: 1301 })).resolves.toEqual({
      outcome: 'acquired',
    });
    expect((await ledgerItem(START_RUN_LEASE_KEY))?.holder).toEqual({ S: 'b' });
  });

  it('counts a retried acquisition whose first answer was lost as acquired, not held by someone else', async () => {
    await ports.acquireLease({ holder: 'a', now: 1000, expiresAt: 1150 });
    // The SDK retries a PutItem whose response it never saw: the condition now fails on 'a' itself.
    await expect(ports.acquireLease({ holder: 'a', now: 1001, expiresAt: 1151 })).resolves.toEqual({
      outcome: 'acquired',
    });
  });

  it('is given up only by its holder', async () => {
    await ports.acquireLease({ holder: 'a', now: 1000, expiresAt: 1150 });
    await ports.releaseLease('b');
    expect((await ledgerItem(START_RUN_LEASE_KEY))?.holder).toEqual({ S: 'a' });
    await ports.releaseLease('a');
    expect(await ledgerItem(START_RUN_LEASE_KEY)).toBeUndefined();
    // Giving up a lease that is gone is not an error (it lapsed and its taker released it).
    await expect(ports.releaseLease('a')).resolves.toBeUndefined();
    await expect(ports.acquireLease({ holder: 'c', now: 1001, expiresAt: 1151 })).resolves.toEqual({
      outcome: 'acquired',
    });
  });

  it("never touches an hour's record", async () => {
    await ports.claimRun(claimOf(1));
    await ports.acquireLease({ holder: 'a', now: 1000, expiresAt: 1150 });
    await ports.releaseLease('a');
    expect((await ledgerItem())?.status).toEqual({ S: 'CLAIMED' });
  });
});

describe('markStarted and recordOutcome (DynamoDB UpdateItem)', () => {
  it('sets the status and the execution ARN, or only the status when the ARN is unknown', async () => {
    await ports.claimRun(claimOf(1));
    await ports.markStarted(RUN_ID, undefined);
    expect(await ledgerItem()).not.toHaveProperty('executionArn');
    await ports.markStarted(RUN_ID, 'arn:aws:states:eu-central-1:123456789012:execution:m:x');
    expect(await ledgerItem()).toMatchObject({
      status: { S: 'STARTED' },
      executionArn: { S: 'arn:aws:states:eu-central-1:123456789012:execution:m:x' },
      claimedAt: { S: '2024-05-01T12:15:03.000Z' },
    });
  });

  it('counts failed attempts in a row and resets the count on success', async () => {
    await endedAttempt(1, 'FAILED');
    expect(await ledgerItem()).toMatchObject({
      status: { S: 'FAILED' },
      outcome: { S: 'failed (test)' },
      failedAttempts: { N: '1' },
    });
    await endedAttempt(2, 'FAILED');
    expect((await ledgerItem())?.failedAttempts).toEqual({ N: '2' });
    await endedAttempt(3, 'SUCCEEDED');
    expect(await ledgerItem()).toMatchObject({ status: { S: 'SUCCEEDED' }, failedAttempts: { N: '0' } });
    await expect(ports.readRun(RUN_ID)).resolves.toMatchObject({ attempt: 3, status: 'SUCCEEDED' });
  });

  it('records an outcome once: a redelivery, or an outcome for another attempt, changes nothing', async () => {
    await endedAttempt(1, 'FAILED');
    const recorded = await ledgerItem();
    await expect(ports.recordOutcome(RUN_ID, 1, 'FAILED', 'again')).resolves.toBeUndefined();
    await expect(ports.recordOutcome(RUN_ID, 2, 'SUCCEEDED', 'other attempt')).resolves.toBeUndefined();
    expect(await ledgerItem()).toEqual(recorded);
  });
});

describe('startExecution, executionState and runInProgress (Step Functions)', () => {
  it('sees no run in progress on a fresh state machine, and an unknown execution as MISSING', async () => {
    await expect(ports.runInProgress()).resolves.toBeUndefined();
    await expect(ports.executionState(RUN_ID)).resolves.toBe('MISSING');
  });

  it('starts an execution named after the attempt with the run input, then reports it as in progress', async () => {
    const started = await ports.startExecution(inputOf(2));
    expect(started).toEqual({ outcome: 'started', executionArn: expect.stringContaining(':execution:') });
    const executionArn = started.outcome === 'started' ? started.executionArn : '';
    const described = await aws.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.name).toBe(`${RUN_ID}-a2`);
    expect(JSON.parse(described.input ?? '{}')).toEqual(inputOf(2));
    await expect(ports.runInProgress()).resolves.toBe(executionArn);
    await expect(ports.executionState(`${RUN_ID}-a2`)).resolves.toBe('RUNNING');
  });

  it('reports a second execution with the same name as already existing (ExecutionAlreadyExists)', async () => {
    const first = await ports.startExecution(inputOf(1));
    const executionArn = first.outcome === 'started' ? first.executionArn : '';
    // Step Functions refuses the name of a closed execution for 90 days, whatever the input.
    await aws.sfn.send(new StopExecutionCommand({ executionArn }));
    await expect(ports.executionState(RUN_ID)).resolves.toBe('ABORTED');
    await expect(ports.startExecution(inputOf(1))).resolves.toEqual({ outcome: 'already-exists' });
    const { executions } = await aws.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions).toHaveLength(1);
    await expect(ports.runInProgress()).resolves.toBeUndefined();
  });

  it('lets a missing state machine fail as the SDK reports it', async () => {
    const elsewhere = createAwsRunStarter(aws, {
      rawBucket: RAW_BUCKET,
      runsTable: RUNS_TABLE,
      stateMachineArn: `${stateMachineArn}-gone`,
    });
    await expect(elsewhere.startExecution(inputOf(1))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});

describe('startRuns over the real adapters', () => {
  const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2024-05-01T12:15:00Z' };
  const now = new Date('2024-05-01T12:15:03Z');
  const settings = {
    lookbackHours: 3,
    closeDelayMinutes: 10,
    claimTtlDays: 400,
    maxRunAttempts: 3,
    leaseSeconds: 150,
    retry: fastRetry(),
  };

  it('starts the hour with data once; a redelivered tick starts nothing more', async () => {
    await putObject(`${PREFIX}part-0.jsonl`, '{"a":1}\n');
    const first = await startRuns(tick, now, ports, settings, memoryLog());
    const started = first.windows.find((w) => w.outcome === 'started');
    expect(started).toMatchObject({ window: '2024-05-01T11', runId: RUN_ID, attempt: 1 });
    expect(first.windows.filter((w) => w.window !== '2024-05-01T11').map((w) => w.outcome)).toEqual([
      'no-data',
      'no-data',
    ]);
    expect(await ledgerItem()).toMatchObject({ status: { S: 'STARTED' }, rawObjects: { N: '1' } });

    // The run is still going: the redelivered tick finds it and does nothing.
    const redelivered = await startRuns(tick, now, ports, settings, memoryLog());
    expect(redelivered).toEqual({ trigger: 'schedule', busyWith: started?.executionArn, windows: [] });
    // Each tick gave its lease up.
    expect(await ledgerItem(START_RUN_LEASE_KEY)).toBeUndefined();
  });

  it('does nothing while another invocation holds the lease', async () => {
    await putObject(`${PREFIX}part-0.jsonl`, '{"a":1}\n');
    const nowSeconds = Math.floor(Date.now() / 1000);
    await ports.acquireLease({ holder: 'other', now: nowSeconds, expiresAt: nowSeconds + 150 });
    const report = await startRuns(tick, now, ports, settings, memoryLog());
    expect(report).toEqual({ trigger: 'schedule', leaseHeldBy: 'other', windows: [] });
    expect(await ledgerItem()).toBeUndefined();
    expect((await ledgerItem(START_RUN_LEASE_KEY))?.holder).toEqual({ S: 'other' });
  });
});
