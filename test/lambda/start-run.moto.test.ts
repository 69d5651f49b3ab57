import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsRunStarter } from '../../lambda/start-run/aws-ports';
import { type RunClaim, type RunStarter, startRuns } from '../../lambda/start-run/start-run';
import { startMotoServer, type MotoServer } from '../helpers/moto-server';
import { fastRetry, memoryLog } from './aws-test-helpers';

/**
 * The start-run adapters (lambda/start-run/aws-ports.ts) with the real AWS SDK
 * against a moto server: S3 ListObjectsV2, DynamoDB conditional PutItem and
 * UpdateItem, Step Functions ListExecutions and StartExecution. A wrong
 * parameter name or shape, or an error the adapter does not recognise, fails
 * here instead of in the account. The unit tests (start-run.test.ts) keep
 * aws-sdk-client-mock for the logic's branches.
 */

const RAW_BUCKET = 'dev-raw';
const RUNS_TABLE = 'dev-runs';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/run-state-machine';

let moto: MotoServer;
let s3: S3Client;
let dynamodb: DynamoDBClient;
let sfn: SFNClient;
let stateMachineArn: string;
let ports: RunStarter;

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client(moto.s3ClientConfig());
  dynamodb = new DynamoDBClient(moto.clientConfig());
  sfn = new SFNClient(moto.clientConfig());
});

afterAll(async () => {
  s3?.destroy();
  dynamodb?.destroy();
  sfn?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  await s3.send(
    new CreateBucketCommand({
      Bucket: RAW_BUCKET,
      CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-central-1' },
    }),
  );
  // The ledger's key as lib/constructs/orchestration-run-trigger.ts declares it.
  await dynamodb.send(
    new CreateTableCommand({
      TableName: RUNS_TABLE,
      AttributeDefinitions: [{ AttributeName: 'runId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'runId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const machine = await sfn.send(
    new CreateStateMachineCommand({
      name: 'dev-bank-pipeline-run',
      roleArn: ROLE_ARN,
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  stateMachineArn = machine.stateMachineArn ?? '';
  ports = createAwsRunStarter(
    { s3, dynamodb, sfn },
    { rawBucket: RAW_BUCKET, runsTable: RUNS_TABLE, stateMachineArn },
  );
});

const PREFIX = 'transactions/year=2024/month=05/day=01/hour=11/';
const claim: RunClaim = {
  runId: 'run-2024-05-01T11',
  window: '2024-05-01T11',
  rawPrefix: PREFIX,
  claimedAt: '2024-05-01T12:15:03.000Z',
  expiresAt: 1_749_039_303,
};
const input = { runId: claim.runId, rawPrefix: PREFIX, window: claim.window };

async function putObject(key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: RAW_BUCKET, Key: key, Body: Buffer.from(body) }));
}

async function ledgerItem(runId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: RUNS_TABLE, Key: { runId: { S: runId } }, ConsistentRead: true }),
  );
  return Item;
}

describe('hasRawData (S3 ListObjectsV2)', () => {
  it('is false for an empty hour', async () => {
    await expect(ports.hasRawData(PREFIX)).resolves.toBe(false);
  });

  it('ignores folder markers and empty files, and data of other hours', async () => {
    await putObject(PREFIX, '');
    await putObject(`${PREFIX}part-0.jsonl`, '');
    await putObject('transactions/year=2024/month=05/day=01/hour=10/part-0.jsonl', '{"a":1}\n');
    await expect(ports.hasRawData(PREFIX)).resolves.toBe(false);
  });

  it('is true once the hour holds a non-empty object', async () => {
    await putObject(`${PREFIX}part-0.jsonl`, '{"a":1}\n');
    await expect(ports.hasRawData(PREFIX)).resolves.toBe(true);
  });

  it('lets a missing bucket fail as the SDK reports it', async () => {
    const elsewhere = createAwsRunStarter(
      { s3, dynamodb, sfn },
      { rawBucket: 'no-such-bucket', runsTable: RUNS_TABLE, stateMachineArn },
    );
    await expect(elsewhere.hasRawData(PREFIX)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});

describe('claimRun (DynamoDB conditional PutItem)', () => {
  it('records the claim with every ledger attribute and its TTL as a number', async () => {
    await expect(ports.claimRun(claim)).resolves.toEqual({ outcome: 'claimed' });
    expect(await ledgerItem(claim.runId)).toEqual({
      runId: { S: claim.runId },
      window: { S: claim.window },
      rawPrefix: { S: PREFIX },
      status: { S: 'CLAIMED' },
      claimedAt: { S: claim.claimedAt },
      expiresAt: { N: String(claim.expiresAt) },
    });
  });

  it('never overwrites a claim: a second claim reports the first one (ConditionalCheckFailed)', async () => {
    await ports.claimRun(claim);
    await expect(ports.claimRun({ ...claim, claimedAt: '2024-05-01T13:15:00.000Z' })).resolves.toEqual({
      outcome: 'exists',
      status: 'CLAIMED',
    });
    expect((await ledgerItem(claim.runId))?.claimedAt).toEqual({ S: claim.claimedAt });
  });

  it('reads the existing status from the failed condition check (ALL_OLD), so a started run is seen', async () => {
    await ports.claimRun(claim);
    await ports.markStarted(claim.runId, 'arn:aws:states:eu-central-1:123456789012:execution:m:x');
    await expect(ports.claimRun(claim)).resolves.toEqual({ outcome: 'exists', status: 'STARTED' });
  });

  it('lets a missing table fail as the SDK reports it', async () => {
    await dynamodb.send(new DeleteTableCommand({ TableName: RUNS_TABLE }));
    await expect(ports.claimRun(claim)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('markStarted (DynamoDB UpdateItem)', () => {
  it('sets the status and the execution ARN', async () => {
    await ports.claimRun(claim);
    await ports.markStarted(claim.runId, 'arn:aws:states:eu-central-1:123456789012:execution:m:x');
    expect(await ledgerItem(claim.runId)).toMatchObject({
      status: { S: 'STARTED' },
      executionArn: { S: 'arn:aws:states:eu-central-1:123456789012:execution:m:x' },
      claimedAt: { S: claim.claimedAt },
    });
  });

  it('sets only the status when the execution ARN is unknown (execution already existed)', async () => {
    await ports.claimRun(claim);
    await ports.markStarted(claim.runId, undefined);
    const item = await ledgerItem(claim.runId);
    expect(item?.status).toEqual({ S: 'STARTED' });
    expect(item).not.toHaveProperty('executionArn');
  });
});

describe('startExecution and runInProgress (Step Functions)', () => {
  it('sees no run in progress on a fresh state machine', async () => {
    await expect(ports.runInProgress()).resolves.toBeUndefined();
  });

  it('starts an execution named after the run id with the run input, then reports it as in progress', async () => {
    const started = await ports.startExecution(input);
    expect(started).toEqual({ outcome: 'started', executionArn: expect.stringContaining(':execution:') });
    const executionArn = started.outcome === 'started' ? started.executionArn : '';
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.name).toBe(input.runId);
    expect(JSON.parse(described.input ?? '{}')).toEqual(input);
    await expect(ports.runInProgress()).resolves.toBe(executionArn);
  });

  it('reports a second execution with the same name as already existing (ExecutionAlreadyExists)', async () => {
    const first = await ports.startExecution(input);
    const executionArn = first.outcome === 'started' ? first.executionArn : '';
    // Step Functions refuses the name of a closed execution for 90 days, whatever the input.
    await sfn.send(new StopExecutionCommand({ executionArn }));
    await expect(ports.startExecution(input)).resolves.toEqual({ outcome: 'already-exists' });
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions).toHaveLength(1);
    await expect(ports.runInProgress()).resolves.toBeUndefined();
  });

  it('lets a missing state machine fail as the SDK reports it', async () => {
    const elsewhere = createAwsRunStarter(
      { s3, dynamodb, sfn },
      { rawBucket: RAW_BUCKET, runsTable: RUNS_TABLE, stateMachineArn: `${stateMachineArn}-gone` },
    );
    await expect(elsewhere.startExecution(input)).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});

describe('startRuns over the real adapters', () => {
  const tick = { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2024-05-01T12:15:00Z' };
  const now = new Date('2024-05-01T12:15:03Z');
  const settings = { lookbackHours: 3, closeDelayMinutes: 10, claimTtlDays: 400, retry: fastRetry() };

  it('starts the hour with data once; a redelivered tick starts nothing more', async () => {
    await putObject(`${PREFIX}part-0.jsonl`, '{"a":1}\n');
    const first = await startRuns(tick, now, ports, settings, memoryLog());
    expect(first.windows.map((w) => [w.window, w.outcome])).toEqual([
      ['2024-05-01T09', 'no-data'],
      ['2024-05-01T10', 'no-data'],
      ['2024-05-01T11', 'started'],
    ]);
    expect(await ledgerItem('run-2024-05-01T11')).toMatchObject({ status: { S: 'STARTED' } });

    // The run is still going: the redelivered tick finds it and does nothing.
    const redelivered = await startRuns(tick, now, ports, settings, memoryLog());
    expect(redelivered).toEqual({
      trigger: 'schedule',
      busyWith: first.windows[2].executionArn,
      windows: [],
    });
  });
});
