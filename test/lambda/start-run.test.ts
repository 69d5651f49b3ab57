import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PermanentError, RetryableError } from '../../lambda/shared/errors';
import { createAwsRunStarter } from '../../lambda/start-run/aws-ports';
import { startRuns, type StartRunSettings } from '../../lambda/start-run/start-run';
import { closedWindows, parseWindowId, windowAt } from '../../lambda/start-run/windows';
import { awsError, fastRetry, memoryLog } from './aws-test-helpers';

const s3 = mockClient(S3Client);
const dynamodb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);

const STATE_MACHINE_ARN = 'arn:aws:states:eu-central-1:111111111111:stateMachine:dev-bank-pipeline-run';
const ports = createAwsRunStarter(
  { s3: new S3Client({}), dynamodb: new DynamoDBClient({}), sfn: new SFNClient({}) },
  { rawBucket: 'raw-bucket', runsTable: 'runs', stateMachineArn: STATE_MACHINE_ARN },
);
const settings = (retry = fastRetry()): StartRunSettings => ({
  lookbackHours: 3,
  closeDelayMinutes: 10,
  claimTtlDays: 400,
  retry,
});

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
        rawPrefix: 'transactions/year=2024/month=05/day=01/hour=10/',
        window: '2024-05-01T10',
      }),
    });
    const claim = dynamodb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(claim.ConditionExpression).toBe('attribute_not_exists(runId)');
    expect(claim.Item?.runId).toEqual({ S: 'run-2024-05-01T10' });
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
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('a redelivered event finds the claim STARTED and starts no second run', async () => {
    objectsUnder(['transactions/year=2024/month=05/day=01/hour=11/']);
    dynamodb.on(PutItemCommand).rejects(
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
    dynamodb.on(PutItemCommand).rejects(
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
  it('starts the requested hour, and a deliberate re-run with attempt 2 gets its own run id', async () => {
    objectsUnder(['transactions/year=2024/month=04/day=30/hour=23/']);
    const first = await startRuns({ window: '2024-04-30T23' }, NOW, ports, settings(), memoryLog());
    const rerun = await startRuns(
      { window: '2024-04-30T23', attempt: 2 },
      NOW,
      ports,
      settings(),
      memoryLog(),
    );
    expect(first.windows[0]).toMatchObject({ runId: 'run-2024-04-30T23', outcome: 'started' });
    expect(rerun.windows[0]).toMatchObject({ runId: 'run-2024-04-30T23-a2', outcome: 'started' });
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

describe('start-run handler', () => {
  it('reads its settings from the environment and runs the logic with real SDK clients', async () => {
    vi.stubEnv('RAW_BUCKET', 'raw-bucket');
    vi.stubEnv('RUNS_TABLE', 'runs');
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'BankPipelineTest');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.resetModules();
    objectsUnder([]);
    const { handler } = await import('../../lambda/start-run/handler');
    const report = await handler({ ...tick, time: new Date(Date.now() - 3_600_000).toISOString() });
    expect(report.windows).toHaveLength(24);
    expect(report.windows.every((w) => w.outcome === 'no-data')).toBe(true);
  });

  it('fails to load with a message naming a missing variable', async () => {
    vi.stubEnv('RAW_BUCKET', 'raw-bucket');
    vi.stubEnv('RUNS_TABLE', '');
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.resetModules();
    await expect(import('../../lambda/start-run/handler')).rejects.toThrow(/RUNS_TABLE is missing or empty/);
  });
});
