import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryableError } from '../../lambda/shared/errors';
import { createAwsRunStarter } from '../../lambda/start-run/aws-ports';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type ExecutionState,
  type HourRun,
  type LeaseRequest,
  type RawSnapshot,
  type RunClaim,
  type RunStarter,
  START_RUN_LEASE_KEY,
  startRuns,
  type StartRunSettings,
} from '../../lambda/start-run/start-run';
import { createLocalRunStarter, RunLedger } from '../../local/pipeline/run-ledger';
import type { RunInput } from '../../lambda/shared/run-input';
import { SINK_WATERMARK_PREFIX, type SinkWatermarkObject } from '../../lambda/start-run/sink-watermarks';
import { closedWindows, parseWindowId, windowAt } from '../../lambda/start-run/windows';
import { awsError, fastRetry, memoryLog, mockSdkClient } from './aws-test-helpers';

const s3 = mockSdkClient(S3Client);
const dynamodb = mockSdkClient(DynamoDBClient);
const sfn = mockSdkClient(SFNClient);

const STATE_MACHINE_ARN = 'arn:aws:states:eu-central-1:111111111111:stateMachine:dev-bankpipe-run';
const ports = createAwsRunStarter(
  { s3: new S3Client({}), dynamodb: new DynamoDBClient({}), sfn: new SFNClient({}) },
  { rawBucket: 'raw-bucket', runsTable: 'runs', stateMachineArn: STATE_MACHINE_ARN },
);
const settings = (retry = fastRetry()): StartRunSettings => ({
  lookbackHours: 3,
  closeDelayMinutes: 10,
  claimTtlDays: 400,
  maxRunAttempts: 3,
  leaseSeconds: 150,
  retry,
});

/** The claim of an hour's first attempt (the lease item is written by a PutItem too). */
const claimPut = { ConditionExpression: 'attribute_not_exists(runId)' };
/** PutItem calls on hours' records, without the lease's. */
const hourPuts = () =>
  dynamodb.commandCalls(PutItemCommand).filter((c) => c.args[0].input.Item?.runId?.S !== START_RUN_LEASE_KEY);

/** The schedule fired at 12:15 UTC: closed hours are 11, 10, 09 (oldest first: 09, 10, 11). */
const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2024-05-01T12:15:00Z' };
const NOW = new Date('2024-05-01T12:15:03Z');

function objectsUnder(prefixesWithData: string[]): void {
  s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => ({
    Contents: prefixesWithData.includes(input.Prefix)
      ? [{ Key: `${input.Prefix}part-0.jsonl`, Size: 120 }]
      : [],
  }));
}

beforeEach(() => {
  s3.reset();
  dynamodb.reset();
  sfn.reset();
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(PutItemCommand).resolves({});
  dynamodb.on(UpdateItemCommand).resolves({});
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: NOW,
  }));
});
afterEach(() => vi.unstubAllEnvs());

describe('hour windows', () => {
  it('formats the raw-zone prefix of docs/data-layout.md', () => {
    expect(windowAt(new Date('2024-05-01T09:59:59Z'))).toMatchObject({
      id: '2024-05-01T09',
      rawPrefix: 'transactions/year=2024/month=05/day=01/hour=09/',
    });
  });

  it('treats an hour as closed only after the close delay', () => {
    expect(closedWindows(new Date('2024-05-01T12:05:00Z'), 10, 1)[0].id).toBe('2024-05-01T10');
    expect(closedWindows(new Date('2024-05-01T12:10:00Z'), 10, 1)[0].id).toBe('2024-05-01T11');
  });

  it('rejects hours that do not exist, naming the expected form', () => {
    expect(() => parseWindowId('2024-02-30T10')).toThrow(/not a real hour.*YYYY-MM-DDTHH/);
    expect(() => parseWindowId('2024-05-01 10')).toThrow(/not a valid hour/);
  });
});

describe('start-run on a schedule tick', () => {
  it('starts one run for the oldest closed hour with data, named after the run id', async () => {
    objectsUnder([
      'transactions/year=2024/month=05/day=01/hour=10/',
      'transactions/year=2024/month=05/day=01/hour=11/',
    ]);

    const report = await startRuns(tick, NOW, ports, settings(), memoryLog());

    expect(report.windows.map((w) => [w.window, w.outcome])).toEqual([
      ['2024-05-01T09', 'no-data'],
      ['2024-05-01T10', 'started'],
    ]);
    const starts = sfn.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    expect(starts[0].args[0].input).toEqual({
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'run-2024-05-01T10',
      input: JSON.stringify({
        runId: 'run-2024-05-01T10',
        attempt: 1,
        executionName: 'run-2024-05-01T10',
        rawPrefix: 'transactions/year=2024/month=05/day=01/hour=10/',
        window: '2024-05-01T10',
      }),
    });
    const claim = hourPuts()[0].args[0].input;
    expect(claim.ConditionExpression).toBe('attribute_not_exists(runId)');
    expect(claim.Item?.runId).toEqual({ S: 'run-2024-05-01T10' });
    expect(claim.Item?.attempt).toEqual({ N: '1' });
    expect(claim.Item?.rawObjects).toEqual({ N: '1' });
    expect(claim.Item?.rawBytes).toEqual({ N: '120' });
    expect(Number(claim.Item?.expiresAt.N)).toBe(Math.floor(NOW.getTime() / 1000) + 400 * 86_400);
    const mark = dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(mark.ExpressionAttributeValues?.[':started']).toEqual({ S: 'STARTED' });
  });

  it('ignores empty objects and folder markers as data', async () => {
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: 'transactions/year=2024/month=05/day=01/hour=09/', Size: 0 },
        { Key: 'transactions/year=2024/month=05/day=01/hour=09/empty.jsonl', Size: 0 },
      ],
    });
    const report = await startRuns(tick, NOW, ports, settings(), memoryLog());
    expect(report.windows.every((w) => w.outcome === 'no-data')).toBe(true);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('does nothing while a run is in progress (runs must not overlap)', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: 'arn:aws:states:eu-central-1:111111111111:execution:x:run-2024-05-01T08',
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'run-2024-05-01T08',
          status: 'RUNNING',
          startDate: NOW,
        },
      ],
    });
    objectsUnder(['transactions/year=2024/month=05/day=01/hour=10/']);
    const report = await startRuns(tick, NOW, ports, settings(), memoryLog());
    expect(report.busyWith).toContain('run-2024-05-01T08');
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(hourPuts()).toHaveLength(0);
  });

  it('a redelivered event finds the claim STARTED and starts no second run', async () => {
    objectsUnder(['transactions/year=2024/month=05/day=01/hour=11/']);
    dynamodb.on(PutItemCommand, claimPut).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
        Item: { runId: { S: 'run-2024-05-01T11' }, status: { S: 'STARTED' } },
      }),
    );
    const report = await startRuns(tick, NOW, ports, settings(), memoryLog());
    expect(report.windows.at(-1)).toMatchObject({ window: '2024-05-01T11', outcome: 'already-started' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('finishes a claim whose start was never confirmed; an existing execution counts as a duplicate', async () => {
    objectsUnder(['transactions/year=2024/month=05/day=01/hour=11/']);
    dynamodb.on(PutItemCommand, claimPut).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
        Item: { runId: { S: 'run-2024-05-01T11' }, status: { S: 'CLAIMED' } },
      }),
    );
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists', 400));
    const log = memoryLog();
    const report = await startRuns(tick, NOW, ports, settings(), log);
    expect(report.windows.at(-1)?.outcome).toBe('already-started');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(log.lines.some((l) => l.level === 'WARN' && /never confirmed/.test(l.message))).toBe(true);
  });

  it('retries a throttled listing with backoff and then starts the run', async () => {
    let calls = 0;
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix: string }) => {
      calls += 1;
      if (calls <= 2) throw awsError('SlowDown', 503);
      if (input.Prefix === SINK_WATERMARK_PREFIX) return { Contents: [] };
      return { Contents: [{ Key: `${input.Prefix}a.jsonl`, Size: 10 }] };
    });
    const retry = fastRetry(4);
    const report = await startRuns(tick, NOW, ports, settings(retry), memoryLog());
    expect(report.windows[0]).toMatchObject({ window: '2024-05-01T09', outcome: 'started' });
    expect(retry.sleeps).toHaveLength(2);
  });

  it('surfaces a persistent throttle as RetryableError after the last attempt (Lambda/EventBridge retry later)', async () => {
    sfn.on(ListExecutionsCommand).rejects(awsError('ThrottlingException', 400));
    await expect(startRuns(tick, NOW, ports, settings(fastRetry(3)), memoryLog())).rejects.toThrow(
      RetryableError,
    );
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(3);
  });

  it('fails at once with a clear message on a permanent error', async () => {
    objectsUnder(['transactions/year=2024/month=05/day=01/hour=09/']);
    sfn
      .on(StartExecutionCommand)
      .rejects(awsError('AccessDeniedException', 400, 'not authorized to perform states:StartExecution'));
    const attempt = startRuns(tick, NOW, ports, settings(), memoryLog());
    await expect(attempt).rejects.toThrow(PermanentError);
    await expect(attempt).rejects.toThrow(
      /starting execution run-2024-05-01T09 failed: AccessDeniedException/,
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1); // not retried
  });

  it('treats the end of a run as a tick', async () => {
    objectsUnder(['transactions/year=2024/month=05/day=01/hour=11/']);
    const runEnded = {
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      time: tick.time,
    };
    const report = await startRuns(runEnded, NOW, ports, settings(), memoryLog());
    expect(report.trigger).toBe('run-finished');
    expect(report.windows.at(-1)?.outcome).toBe('started');
  });
});

describe('start-run backfills', () => {
  it('starts the requested hour, and a deliberate re-run with attempt 2 keeps the run id under a new execution name', async () => {
    objectsUnder(['transactions/year=2024/month=04/day=30/hour=23/']);
    const first = await startRuns({ window: '2024-04-30T23' }, NOW, ports, settings(), memoryLog());
    dynamodb.on(GetItemCommand).resolves({
      Item: {
        runId: { S: 'run-2024-04-30T23' },
        window: { S: '2024-04-30T23' },
        attempt: { N: '1' },
        executionName: { S: 'run-2024-04-30T23' },
        status: { S: 'STARTED' },
        failedAttempts: { N: '0' },
      },
    });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' } as never);
    const rerun = await startRuns(
      { window: '2024-04-30T23', attempt: 2 },
      NOW,
      ports,
      settings(),
      memoryLog(),
    );
    expect(first.windows[0]).toMatchObject({ runId: 'run-2024-04-30T23', outcome: 'started' });
    expect(rerun.windows[0]).toMatchObject({ runId: 'run-2024-04-30T23', attempt: 2, outcome: 'started' });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([
      'run-2024-04-30T23',
      'run-2024-04-30T23-a2',
    ]);
    expect(sfn.commandCalls(DescribeExecutionCommand)[0].args[0].input.executionArn).toBe(
      'arn:aws:states:eu-central-1:111111111111:execution:dev-bankpipe-run:run-2024-04-30T23',
    );
    const updates = dynamodb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    const outcome = updates.find((u) => u.ExpressionAttributeValues?.[':outcome'] !== undefined);
    expect(outcome?.ExpressionAttributeValues?.[':outcome']).toEqual({ S: 'SUCCEEDED' });
    expect(outcome?.ConditionExpression).toContain('#status = :started');
    const claim = updates.find((u) => u.ExpressionAttributeValues?.[':attempt'] !== undefined);
    expect(claim?.ExpressionAttributeValues?.[':attempt']).toEqual({ N: '2' });
    expect(claim?.ExpressionAttributeValues?.[':previous']).toEqual({ N: '1' });
    expect(claim?.ConditionExpression).toMatch(
      /#attempt = :previous\) AND #status IN \(:succeeded, :failed\)/,
    );
  });

  it('refuses hours that are not closed, have no data, or do not parse', async () => {
    objectsUnder([]);
    await expect(startRuns({ window: '2024-05-01T12' }, NOW, ports, settings(), memoryLog())).rejects.toThrow(
      /has not closed yet/,
    );
    await expect(startRuns({ window: '2024-05-01T08' }, NOW, ports, settings(), memoryLog())).rejects.toThrow(
      /no raw data under transactions\/year=2024\/month=05\/day=01\/hour=08\//,
    );
    await expect(startRuns({ window: 'yesterday' }, NOW, ports, settings(), memoryLog())).rejects.toThrow(
      PermanentError,
    );
  });

  it('refuses a backfill while another run is in progress', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: 'arn:x:run-1',
          stateMachineArn: STATE_MACHINE_ARN,
          name: 'run-1',
          status: 'RUNNING',
          startDate: NOW,
        },
      ],
    });
    await expect(startRuns({ window: '2024-05-01T08' }, NOW, ports, settings(), memoryLog())).rejects.toThrow(
      /arn:x:run-1 is still in progress/,
    );
  });

  it('rejects events it does not know', async () => {
    await expect(startRuns({ hello: 'world' }, NOW, ports, settings(), memoryLog())).rejects.toThrow(
      /unrecognised event .*"hello":"world"/,
    );
  });
});

/**
 * An in-memory ledger, raw zone and Step Functions with the adapters' conditions, for the
 * decisions start-run takes over several ticks.
 */
class MemoryWorld implements RunStarter {
  readonly runs = new Map<string, HourRun & { claims: RunClaim[] }>();
  readonly executions = new Map<string, { input: RunInput; state: ExecutionState }>();
  readonly raw = new Map<string, string[]>();
  /** The S3 sink's watermark objects; none: a sink older than watermarks. */
  watermarks: SinkWatermarkObject[] = [];
  lease: { holder: string; expiresAt: number } | undefined;

  async acquireLease(request: LeaseRequest) {
    if (this.lease !== undefined && !(this.lease.expiresAt < request.now)) {
      return { outcome: 'held' as const, ...this.lease };
    }
    this.lease = { holder: request.holder, expiresAt: request.expiresAt };
    return { outcome: 'acquired' as const };
  }
  async releaseLease(holder: string) {
    if (this.lease?.holder === holder) this.lease = undefined;
  }
  addObject(prefix: string, key: string): void {
    this.raw.set(prefix, [...(this.raw.get(prefix) ?? []), `${prefix}${key}`]);
  }
  end(executionName: string, state: ExecutionState): void {
    const execution = this.executions.get(executionName);
    if (!execution) throw new Error(`no execution ${executionName}`);
    execution.state = state;
  }
  async runInProgress() {
    return [...this.executions.entries()].find(([, e]) => e.state === 'RUNNING')?.[0];
  }
  async hasRawData(prefix: string) {
    return (this.raw.get(prefix) ?? []).length > 0;
  }
  async rawSnapshot(prefix: string): Promise<RawSnapshot> {
    const keys = this.raw.get(prefix) ?? [];
    return { objects: keys.length, bytes: keys.length * 100, fingerprint: keys.join('|') };
  }
  async sinkWatermarks() {
    return this.watermarks;
  }
  async readRun(runId: string) {
    return this.runs.get(runId);
  }
  async claimRun(claim: RunClaim) {
    const existing = this.runs.get(claim.runId);
    const follows =
      existing === undefined
        ? claim.attempt === 1
        : claim.attempt === existing.attempt + 1 && ['SUCCEEDED', 'FAILED'].includes(existing.status);
    if (!follows) {
      return {
        outcome: 'exists' as const,
        status: existing?.status ?? 'CLAIMED',
        attempt: existing?.attempt ?? 0,
      };
    }
    this.runs.set(claim.runId, {
      runId: claim.runId,
      window: claim.window,
      attempt: claim.attempt,
      executionName: claim.executionName,
      status: 'CLAIMED',
      failedAttempts: claim.failedAttempts,
      raw: claim.raw,
      claims: [...(existing?.claims ?? []), claim],
    });
    return { outcome: 'claimed' as const };
  }
  async startExecution(input: RunInput) {
    if (this.executions.has(input.executionName)) return { outcome: 'already-exists' as const };
    this.executions.set(input.executionName, { input, state: 'RUNNING' });
    return { outcome: 'started' as const, executionArn: `arn:memory:${input.executionName}` };
  }
  async markStarted(runId: string) {
    const run = this.runs.get(runId);
    if (run) this.runs.set(runId, { ...run, status: 'STARTED' });
  }
  async executionState(executionName: string) {
    return this.executions.get(executionName)?.state ?? 'MISSING';
  }
  async recordOutcome(runId: string, attempt: number, outcome: 'SUCCEEDED' | 'FAILED') {
    const run = this.runs.get(runId);
    if (!run || run.attempt !== attempt || run.status !== 'STARTED') return;
    const failedAttempts = outcome === 'SUCCEEDED' ? 0 : run.failedAttempts + 1;
    this.runs.set(runId, { ...run, status: outcome, failedAttempts });
  }
}

const HOUR_09 = 'transactions/year=2024/month=05/day=01/hour=09/';
const HOUR_10 = 'transactions/year=2024/month=05/day=01/hour=10/';
const runEnded = {
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  time: tick.time,
};

const HOUR_11 = 'transactions/year=2024/month=05/day=01/hour=11/';
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('start-run single flight (the lease in the runs ledger)', () => {
  it('two ticks arriving together start at most one execution', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    world.addObject(HOUR_11, 'part-0.jsonl');
    // Without the lease the second tick would find hour 10 claimed by the first, count it as
    // already started and go on to start hour 11 beside it.
    const reports = await Promise.all([
      startRuns(tick, NOW, world, settings(), memoryLog()),
      startRuns(runEnded, NOW, world, settings(), memoryLog()),
    ]);
    expect([...world.executions.keys()]).toEqual(['run-2024-05-01T10']);
    const refused = reports.filter((r) => r.leaseHeldBy !== undefined);
    expect(refused).toHaveLength(1);
    expect(refused[0].windows).toEqual([]);
    expect(world.lease).toBeUndefined();
  });

  it('does nothing while another invocation holds a live lease; a backfill says to retry', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    world.lease = { holder: 'other-invocation', expiresAt: nowSeconds() + 60 };
    const report = await startRuns(tick, NOW, world, settings(), memoryLog());
    expect(report).toEqual({ trigger: 'schedule', leaseHeldBy: 'other-invocation', windows: [] });
    await expect(startRuns({ window: '2024-05-01T10' }, NOW, world, settings(), memoryLog())).rejects.toThrow(
      /another start-run invocation \(other-invocation\).*retry in a minute/,
    );
    expect(world.executions.size).toBe(0);
    expect(world.lease?.holder).toBe('other-invocation');
  });

  it('takes over a lease its crashed holder left to lapse, and gives it up at the end', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    world.lease = { holder: 'crashed-invocation', expiresAt: nowSeconds() - 1 };
    const acquired: LeaseRequest[] = [];
    const acquire = world.acquireLease.bind(world);
    world.acquireLease = async (request) => {
      acquired.push(request);
      return acquire(request);
    };
    const report = await startRuns(tick, NOW, world, settings(), memoryLog());
    expect(report.windows.find((w) => w.outcome === 'started')?.window).toBe('2024-05-01T10');
    expect(acquired[0].expiresAt - acquired[0].now).toBe(150);
    expect(world.lease).toBeUndefined();
  });

  it('gives the lease up also when the tick fails, and a failed release does not hide the outcome', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    world.startExecution = async () => {
      throw new PermanentError('state machine is gone');
    };
    await expect(startRuns(tick, NOW, world, settings(), memoryLog())).rejects.toThrow(
      /state machine is gone/,
    );
    expect(world.lease).toBeUndefined();

    const stuck = new MemoryWorld();
    stuck.releaseLease = async () => {
      throw new PermanentError('table is gone');
    };
    const log = memoryLog();
    const report = await startRuns(tick, NOW, stuck, settings(), log);
    expect(report.windows.every((w) => w.outcome === 'no-data')).toBe(true);
    expect(log.lines.some((l) => l.level === 'WARN' && /lapses by itself/.test(l.message))).toBe(true);
  });

  it('leaves a lease that lapsed and was taken over during the tick to its new holder', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    const runInProgress = world.runInProgress.bind(world);
    world.runInProgress = async () => {
      // This invocation stalled past its lease, and another one took it.
      world.lease = { holder: 'next-invocation', expiresAt: nowSeconds() + 150 };
      return runInProgress();
    };
    await startRuns(tick, NOW, world, settings(), memoryLog());
    expect(world.lease?.holder).toBe('next-invocation');
  });
});

describe("the twin ledger's lease (local/pipeline/run-ledger.ts)", () => {
  it('follows the DynamoDB rules: free or lapsed only, given up only by its holder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-ledger-'));
    try {
      const ledger = new RunLedger(path.join(dir, 'runs-ledger.json'));
      const noRaw = {
        hasRawData: async () => false,
        rawSnapshot: async () => ({ objects: 0, bytes: 0, fingerprint: '' }),
        sinkWatermarks: async () => [],
      };
      const starter = createLocalRunStarter(ledger, noRaw);
      await expect(starter.acquireLease({ holder: 'a', now: 1000, expiresAt: 1150 })).resolves.toEqual({
        outcome: 'acquired',
      });
      await expect(starter.acquireLease({ holder: 'b', now: 1150, expiresAt: 1300 })).resolves.toEqual({
        outcome: 'held',
        holder: 'a',
        expiresAt: 1150,
      });
      await starter.releaseLease('b');
      expect(ledger.read().lease?.holder).toBe('a');
      await expect(starter.acquireLease({ holder: 'b', now: 1151, expiresAt: 1301 })).resolves.toEqual({
        outcome: 'acquired',
      });
      await starter.releaseLease('a');
      expect(ledger.read().lease?.holder).toBe('b');
      await starter.releaseLease('b');
      expect(ledger.read().lease).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('start-run re-runs: failed hours and late objects', () => {
  it('retries a failed hour with the next attempt of the same run id, up to maxRunAttempts, then reports it out of attempts', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_09, 'part-0.jsonl');
    const log = memoryLog();
    const names: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const report = await startRuns(attempt === 1 ? tick : runEnded, NOW, world, settings(), log);
      const started = report.windows.find((w) => w.outcome === 'started');
      expect(started).toMatchObject({
        runId: 'run-2024-05-01T09',
        attempt,
        reason: attempt === 1 ? 'new-hour' : 'retry',
      });
      names.push([...world.executions.keys()].at(-1) ?? '');
      world.end(names.at(-1) ?? '', attempt === 2 ? 'TIMED_OUT' : 'FAILED');
    }
    expect(names).toEqual(['run-2024-05-01T09', 'run-2024-05-01T09-a2', 'run-2024-05-01T09-a3']);
    expect([...world.executions.values()].every((e) => e.input.runId === 'run-2024-05-01T09')).toBe(true);

    const after = await startRuns(runEnded, NOW, world, settings(), log);
    expect(after.windows.find((w) => w.window === '2024-05-01T09')).toMatchObject({
      outcome: 'out-of-attempts',
      attempt: 3,
    });
    expect(world.executions.size).toBe(3);
    expect(world.runs.get('run-2024-05-01T09')).toMatchObject({ status: 'FAILED', failedAttempts: 3 });
    expect(log.lines.some((l) => l.level === 'WARN' && /last 3 attempts failed/.test(l.message))).toBe(true);
  });

  it('a success resets the failed attempts, so a later failure gets its retries again', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_09, 'part-0.jsonl');
    await startRuns(tick, NOW, world, settings(), memoryLog());
    world.end('run-2024-05-01T09', 'FAILED');
    await startRuns(runEnded, NOW, world, settings(), memoryLog());
    world.end('run-2024-05-01T09-a2', 'SUCCEEDED');
    const quiet = await startRuns(runEnded, NOW, world, settings(), memoryLog());
    expect(quiet.windows.find((w) => w.window === '2024-05-01T09')?.outcome).toBe('done');
    expect(world.runs.get('run-2024-05-01T09')).toMatchObject({ status: 'SUCCEEDED', failedAttempts: 0 });
  });

  it('re-runs a succeeded hour when objects were added to its prefix after its run was claimed, and only then', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_09, 'part-0.jsonl');
    await startRuns(tick, NOW, world, settings(), memoryLog());
    world.end('run-2024-05-01T09', 'SUCCEEDED');
    const unchanged = await startRuns(runEnded, NOW, world, settings(), memoryLog());
    expect(unchanged.windows.every((w) => w.outcome !== 'started')).toBe(true);

    world.addObject(HOUR_09, 'part-late.jsonl');
    const late = await startRuns(tick, NOW, world, settings(), memoryLog());
    expect(late.windows.find((w) => w.outcome === 'started')).toMatchObject({
      runId: 'run-2024-05-01T09',
      attempt: 2,
      reason: 'late-data',
    });
    // The new claim records what the prefix holds now, so the next tick does not re-run it again.
    world.end('run-2024-05-01T09-a2', 'SUCCEEDED');
    const settled = await startRuns(runEnded, NOW, world, settings(), memoryLog());
    expect(settled.windows.every((w) => w.outcome !== 'started')).toBe(true);
    expect(world.executions.size).toBe(2);
  });

  it('works off the oldest hour first: one run per tick, and hours after it are only looked at', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_09, 'a.jsonl');
    world.addObject(HOUR_10, 'b.jsonl');
    world.runs.set('run-2024-05-01T10', {
      runId: 'run-2024-05-01T10',
      window: '2024-05-01T10',
      attempt: 3,
      executionName: 'run-2024-05-01T10-a3',
      status: 'FAILED',
      failedAttempts: 3,
      claims: [],
    });
    const report = await startRuns(tick, NOW, world, settings(), memoryLog());
    expect(report.windows.map((w) => [w.window, w.outcome])).toEqual([
      ['2024-05-01T09', 'started'],
      ['2024-05-01T10', 'out-of-attempts'],
    ]);
  });

  it('stops at an hour whose execution is still running', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_09, 'a.jsonl');
    world.addObject(HOUR_10, 'b.jsonl');
    await startRuns(tick, NOW, world, settings(), memoryLog());
    // As if the run-in-progress check had raced with the start (start-run's lease prevents it).
    const running = { ...world, runInProgress: async () => undefined } as unknown as RunStarter;
    Object.setPrototypeOf(running, MemoryWorld.prototype);
    const report = await startRuns(tick, NOW, running, settings(), memoryLog());
    expect(report.windows.map((w) => w.outcome)).toEqual(['running']);
  });

  it('a backfill with the next attempt re-runs an hour that is out of attempts; wrong attempt numbers are refused', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_09, 'a.jsonl');
    world.runs.set('run-2024-05-01T09', {
      runId: 'run-2024-05-01T09',
      window: '2024-05-01T09',
      attempt: 3,
      executionName: 'run-2024-05-01T09-a3',
      status: 'FAILED',
      failedAttempts: 3,
      claims: [],
    });
    await expect(
      startRuns({ window: '2024-05-01T09', attempt: 5 }, NOW, world, settings(), memoryLog()),
    ).rejects.toThrow(/holds attempt 3, so the next attempt is 4, not 5/);
    const report = await startRuns(
      { window: '2024-05-01T09', attempt: 4 },
      NOW,
      world,
      settings(),
      memoryLog(),
    );
    expect(report.windows[0]).toMatchObject({ outcome: 'started', attempt: 4, reason: 'backfill' });
    expect(world.executions.get('run-2024-05-01T09-a4')?.input.runId).toBe('run-2024-05-01T09');
    world.end('run-2024-05-01T09-a4', 'SUCCEEDED');
    const again = await startRuns(
      { window: '2024-05-01T09', attempt: 4 },
      NOW,
      world,
      settings(),
      memoryLog(),
    );
    expect(again.windows[0].outcome).toBe('already-started');
  });

  it('does not re-run hours recorded before raw snapshots were kept', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_09, 'a.jsonl');
    world.runs.set('run-2024-05-01T09', {
      runId: 'run-2024-05-01T09',
      window: '2024-05-01T09',
      attempt: 1,
      executionName: 'run-2024-05-01T09',
      status: 'SUCCEEDED',
      failedAttempts: 0,
      claims: [],
    });
    const report = await startRuns(tick, NOW, world, settings(), memoryLog());
    expect(report.windows[0]).toMatchObject({ window: '2024-05-01T09', outcome: 'done' });
  });
});

describe('start-run AWS adapter', () => {
  it('takes the lease with a conditional put on its own key, TTL set, and gives it up by holder', async () => {
    objectsUnder([]);
    const report = await startRuns(tick, NOW, ports, settings(), memoryLog());
    expect(report.leaseHeldBy).toBeUndefined();
    const lease = dynamodb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(lease.Item?.runId).toEqual({ S: START_RUN_LEASE_KEY });
    expect(lease.ConditionExpression).toBe('attribute_not_exists(runId) OR expiresAt < :now');
    const now = Number(lease.ExpressionAttributeValues?.[':now'].N);
    expect(Number(lease.Item?.expiresAt.N)).toBe(now + 150);
    const holder = lease.Item?.holder.S;
    const release = dynamodb.commandCalls(DeleteItemCommand);
    expect(release).toHaveLength(1);
    expect(release[0].args[0].input).toMatchObject({
      Key: { runId: { S: START_RUN_LEASE_KEY } },
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': { S: holder } },
    });
  });

  it('reads who holds a live lease from the refused put, and looks at nothing else', async () => {
    dynamodb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
        Item: { runId: { S: START_RUN_LEASE_KEY }, holder: { S: 'req-1' }, expiresAt: { N: '1714565850' } },
      }),
    );
    const report = await startRuns(tick, NOW, ports, settings(), memoryLog());
    expect(report).toEqual({ trigger: 'schedule', leaseHeldBy: 'req-1', windows: [] });
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(0);
    expect(dynamodb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('gives up a lease that is no longer its own without an error', async () => {
    dynamodb.on(DeleteItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    await expect(ports.releaseLease('lapsed-holder')).resolves.toBeUndefined();
    dynamodb.on(DeleteItemCommand).rejects(awsError('AccessDeniedException', 400));
    await expect(ports.releaseLease('lapsed-holder')).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
  });

  it('reads an hour written before attempts were recorded as attempt 1 without a snapshot', async () => {
    dynamodb.on(GetItemCommand).resolves({
      Item: { runId: { S: 'run-2024-05-01T09' }, window: { S: '2024-05-01T09' }, status: { S: 'STARTED' } },
    });
    expect(await ports.readRun('run-2024-05-01T09')).toEqual({
      runId: 'run-2024-05-01T09',
      window: '2024-05-01T09',
      attempt: 1,
      executionName: 'run-2024-05-01T09',
      status: 'STARTED',
      failedAttempts: 0,
    });
    expect(dynamodb.commandCalls(GetItemCommand)[0].args[0].input.ConsistentRead).toBe(true);
  });

  it('records a failure by adding one to failedAttempts, only on the attempt still STARTED', async () => {
    await ports.recordOutcome('run-2024-05-01T09', 1, 'FAILED', 'execution run-2024-05-01T09 FAILED');
    const update = dynamodb.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(update.UpdateExpression).toContain('ADD #failedAttempts :one');
    expect(update.ConditionExpression).toBe(
      '(attribute_not_exists(#attempt) OR #attempt = :previous) AND #status = :started',
    );
    dynamodb.on(UpdateItemCommand).rejects(awsError('ConditionalCheckFailedException', 400));
    await expect(ports.recordOutcome('run-2024-05-01T09', 1, 'FAILED', 'again')).resolves.toBeUndefined();
  });

  it('maps an unknown execution to MISSING and a redrive in waiting to RUNNING', async () => {
    sfn.on(DescribeExecutionCommand).rejectsOnce(awsError('ExecutionDoesNotExist', 400));
    expect(await ports.executionState('run-2024-05-01T09')).toBe('MISSING');
    sfn.on(DescribeExecutionCommand).resolves({ status: 'PENDING_REDRIVE' } as never);
    expect(await ports.executionState('run-2024-05-01T09')).toBe('RUNNING');
  });

  it('snapshots every page of the prefix by key and size, ignoring folder markers', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [
          { Key: `${HOUR_09}a.jsonl`, Size: 10 },
          { Key: HOUR_09, Size: 0 },
        ],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .resolvesOnce({ Contents: [{ Key: `${HOUR_09}b.jsonl`, Size: 5 }] });
    const snapshot = await ports.rawSnapshot(HOUR_09);
    expect(snapshot).toMatchObject({ objects: 2, bytes: 15 });
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: `${HOUR_09}a.jsonl`, Size: 10 },
        { Key: `${HOUR_09}b.jsonl`, Size: 6 },
      ],
    });
    expect((await ports.rawSnapshot(HOUR_09)).fingerprint).not.toBe(snapshot.fingerprint);
  });
});

describe('start-run handler', () => {
  it('reads its settings from the environment and runs the logic with real SDK clients', async () => {
    vi.stubEnv('RAW_BUCKET', 'raw-bucket');
    vi.stubEnv('RUNS_TABLE', 'runs');
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('MAX_RUN_ATTEMPTS', '3');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'BankpipeTest');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.resetModules();
    objectsUnder([]);
    const { handler } = await import('../../lambda/start-run/handler');
    const report = await handler(
      { ...tick, time: new Date(Date.now() - 3_600_000).toISOString() },
      { getRemainingTimeInMillis: () => 119_500 },
    );
    expect(report.windows).toHaveLength(24);
    expect(report.windows.every((w) => w.outcome === 'no-data')).toBe(true);
    // The lease lasts the invocation's remaining time, rounded up, plus the margin.
    const lease = dynamodb.commandCalls(PutItemCommand)[0].args[0].input;
    const now = Number(lease.ExpressionAttributeValues?.[':now'].N);
    expect(Number(lease.Item?.expiresAt.N) - now).toBe(120 + 30);
  });

  it('fails to load with a message naming a missing variable', async () => {
    vi.stubEnv('RAW_BUCKET', 'raw-bucket');
    vi.stubEnv('RUNS_TABLE', '');
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('MAX_RUN_ATTEMPTS', '3');
    vi.resetModules();
    await expect(import('../../lambda/start-run/handler')).rejects.toThrow(/RUNS_TABLE is missing or empty/);
  });
});

describe('start-run waits for the S3 sink watermarks (an hour runs once the sink has flushed it)', () => {
  /** 3 min after hour 10 ended: within its 10 min close delay. */
  const early = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2024-05-01T11:03:00Z' };
  const EARLY = new Date('2024-05-01T11:03:01Z');
  const watermark = (partition: number, flushedThrough: string): SinkWatermarkObject => ({
    key: `${SINK_WATERMARK_PREFIX}bank-transactions-${partition}.json`,
    body: JSON.stringify({
      topic: 'bank-transactions',
      partition,
      flushedThrough,
      writtenAt: '2024-05-01T11:02:30Z',
    }),
  });

  it('starts an hour within its close delay once every partition has flushed it', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    world.watermarks = [watermark(0, '2024-05-01T11:00:00Z'), watermark(1, '2024-05-01T11:02:00Z')];
    const report = await startRuns(early, EARLY, world, settings(), memoryLog());
    expect(report.windows.at(-1)).toMatchObject({ window: '2024-05-01T10', outcome: 'started' });
    expect(report.waitingForSink).toBeUndefined();
  });

  it('leaves it waiting while a partition is behind, and names the partition', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    world.watermarks = [watermark(0, '2024-05-01T11:00:00Z'), watermark(1, '2024-05-01T10:59:59.999Z')];
    const report = await startRuns(early, EARLY, world, settings(), memoryLog());
    expect(world.executions.size).toBe(0);
    expect(report.waitingForSink).toEqual([
      {
        window: '2024-05-01T10',
        behind: ['bank-transactions-1 (flushed through 2024-05-01T10:59:59.999Z)'],
      },
    ]);
    // A backfill waits too.
    await expect(
      startRuns({ window: '2024-05-01T10' }, EARLY, world, settings(), memoryLog()),
    ).rejects.toThrow(/has not closed yet: the S3 sink has not flushed it \(bank-transactions-1/);
  });

  it('without watermarks falls back to the close delay and warns', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    const log = memoryLog();
    const report = await startRuns(early, EARLY, world, settings(), log);
    expect(world.executions.size).toBe(0);
    expect(report.waitingForSink).toEqual([{ window: '2024-05-01T10', behind: ['no sink watermark'] }]);
    expect(log.lines.some((l) => l.level === 'WARN' && /no S3 sink watermark/.test(l.message))).toBe(true);

    const late = { ...early, time: '2024-05-01T11:10:00Z' };
    const after = await startRuns(late, new Date('2024-05-01T11:10:01Z'), world, settings(), memoryLog());
    expect(after.windows.at(-1)).toMatchObject({ window: '2024-05-01T10', outcome: 'started' });
  });

  it('starts a lagging hour after the close delay, warning which partition lagged', async () => {
    const world = new MemoryWorld();
    world.addObject(HOUR_10, 'part-0.jsonl');
    world.watermarks = [watermark(0, '2024-05-01T10:40:00Z')];
    const log = memoryLog();
    const late = { ...early, time: '2024-05-01T11:10:00Z' };
    const report = await startRuns(late, new Date('2024-05-01T11:10:01Z'), world, settings(), log);
    expect(report.windows.at(-1)).toMatchObject({ window: '2024-05-01T10', outcome: 'started' });
    expect(
      log.lines.some(
        (l) =>
          l.level === 'WARN' &&
          /had not flushed it/.test(l.message) &&
          JSON.stringify(l).includes('bank-transactions-0'),
      ),
    ).toBe(true);
  });
});
