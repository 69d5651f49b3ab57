import { expectDataApiTarget, mockSdkClient } from './aws-test-helpers';
import {
  ActiveStatementsExceededException,
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  RedshiftDataClient,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../lambda/warehouse-schema/handler';
import { RedshiftDataRunner } from '../../lambda/warehouse-schema/redshift-data-runner';

const redshiftData = mockSdkClient(RedshiftDataClient);

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:warehouse-admin-AbCdEf';
const SQL_FILES = [
  { Name: '001_schema.sql', Statements: ['CREATE SCHEMA IF NOT EXISTS banking'] },
  {
    Name: '010_transactions.sql',
    Statements: ['CREATE TABLE IF NOT EXISTS banking.transactions (transaction_id VARCHAR(128) NOT NULL)'],
  },
  {
    Name: '110_report_monthly_trend.sql',
    Statements: [
      'DROP VIEW IF EXISTS banking.v_monthly_trend',
      'CREATE VIEW banking.v_monthly_trend AS SELECT 1 AS x',
    ],
  },
];

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  target: Record<string, string> = {
    Database: 'bank',
    SecretArn: SECRET_ARN,
    WorkgroupName: 'dev-bankpipe',
  },
  sqlFiles: unknown = SQL_FILES,
): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-central-1:111111111111:stack/dev-bankpipe-warehouse/1',
    RequestId: 'request-1',
    LogicalResourceId: 'Schema',
    ResourceType: 'Custom::WarehouseSchema',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider',
      Target: target,
      SqlFiles: sqlFiles,
      SqlHash: 'abc123',
    },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Update') {
    return {
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: 'warehouse-schema:workgroup/dev-bankpipe:bank',
      OldResourceProperties: base.ResourceProperties,
    };
  }
  return {
    ...base,
    RequestType: 'Delete',
    PhysicalResourceId: 'warehouse-schema:workgroup/dev-bankpipe:bank',
  };
}

/** A handler over the mocked client, with a fake clock: sleeping advances time instead of waiting. */
function testHandler() {
  let clock = 1_000_000;
  const sleeps: number[] = [];
  const handler = createHandler({
    runner: new RedshiftDataRunner(new RedshiftDataClient({ region: 'eu-central-1' })),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    pollIntervalMs: 1_000,
  });
  const context = { getRemainingTimeInMillis: () => 5 * 60_000 };
  return { handler, context, sleeps };
}

/** Each submitted batch gets id stmt-<n>; DescribeStatement reports it STARTED once, then `final`. */
function respondPerBatch(
  final: (id: string) => Record<string, unknown> = () => ({ Status: 'FINISHED' }),
): void {
  let submitted = 0;
  const describes = new Map<string, number>();
  redshiftData.on(BatchExecuteStatementCommand).callsFake(() => ({ Id: `stmt-${++submitted}` }));
  redshiftData.on(DescribeStatementCommand).callsFake((input: { Id: string }) => {
    const seen = (describes.get(input.Id) ?? 0) + 1;
    describes.set(input.Id, seen);
    return seen === 1 ? { Id: input.Id, Status: 'STARTED' } : { Id: input.Id, ...final(input.Id) };
  });
}

beforeEach(() => {
  redshiftData.reset();
  // The handler logs one JSON line per step; keep the test output readable.
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
});

describe('warehouse-schema custom resource', () => {
  it('applies every SQL file in order, one BatchExecuteStatement per file, waiting for each to finish', async () => {
    respondPerBatch();
    const { handler, context, sleeps } = testHandler();

    const result = await handler(event('Create'), context);

    const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.Sqls)).toEqual(SQL_FILES.map((f) => f.Statements));
    expect(batches.map((b) => b.StatementName)).toEqual(SQL_FILES.map((f) => `warehouse-schema ${f.Name}`));
    expectDataApiTarget(batches, { Database: 'bank', SecretArn: SECRET_ARN, WorkgroupName: 'dev-bankpipe' });
    // Each file is polled until FINISHED before the next one is submitted.
    const calls = redshiftData
      .calls()
      .map((c) => (c.args[0] instanceof BatchExecuteStatementCommand ? 'batch' : 'describe'));
    expect(calls).toEqual([
      'batch',
      'describe',
      'describe',
      'batch',
      'describe',
      'describe',
      'batch',
      'describe',
      'describe',
    ]);
    expect(sleeps).toEqual([1_000, 1_000, 1_000]);
    expect(result).toEqual({
      PhysicalResourceId: 'warehouse-schema:workgroup/dev-bankpipe:bank',
      Data: { AppliedFiles: '3', SqlHash: 'abc123' },
    });
  });

  it('signs in to a provisioned cluster as its database user with temporary credentials, no secret', async () => {
    respondPerBatch();
    const { handler, context } = testHandler();

    const result = await handler(
      event('Update', { Database: 'bank', DbUser: 'bank_admin', ClusterIdentifier: 'dev-bankpipe' }),
      context,
    );

    const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    expect(batches).toHaveLength(SQL_FILES.length);
    expectDataApiTarget(batches, {
      ClusterIdentifier: 'dev-bankpipe',
      Database: 'bank',
      DbUser: 'bank_admin',
    });
    expect(result.PhysicalResourceId).toBe('warehouse-schema:cluster/dev-bankpipe:bank');
  });

  it('signs in to a Serverless workgroup as its own IAM role when given neither secret nor user', async () => {
    respondPerBatch();
    const { handler, context } = testHandler();

    await handler(event('Create', { Database: 'bank', WorkgroupName: 'dev-bankpipe' }), context);

    const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    expect(batches).toHaveLength(SQL_FILES.length);
    expectDataApiTarget(batches, { WorkgroupName: 'dev-bankpipe', Database: 'bank' });
  });

  it('fails with the SQL file name and Redshift error when a statement FAILED, and runs no later file', async () => {
    respondPerBatch((id) =>
      id === 'stmt-2'
        ? {
            Status: 'FAILED',
            Error: 'Batch statement failed',
            SubStatements: [
              {
                Id: `${id}:1`,
                Status: 'FAILED',
                Error: 'ERROR: syntax error at or near "TABLEX"',
                QueryString: 'CREATE TABLEX banking.transactions (transaction_id VARCHAR(128))',
              },
            ],
          }
        : { Status: 'FINISHED' },
    );
    const { handler, context } = testHandler();

    const failure = handler(event('Create'), context);

    await expect(failure).rejects.toThrow(/010_transactions\.sql/);
    await expect(failure).rejects.toThrow(/syntax error at or near "TABLEX"/);
    await expect(failure).rejects.toThrow(/CREATE TABLEX banking\.transactions/);
    expect(redshiftData.commandCalls(BatchExecuteStatementCommand)).toHaveLength(2);
  });

  it('runs an .if-absent file statement by statement and skips a group that already exists', async () => {
    const files = [
      {
        Name: '002_groups.if-absent.sql',
        Statements: ['CREATE GROUP bank_reporting', 'CREATE GROUP bank_loader'],
      },
      SQL_FILES[0],
    ];
    respondPerBatch((id) =>
      id === 'stmt-1'
        ? { Status: 'FAILED', Error: 'ERROR: group "bank_reporting" already exists' }
        : { Status: 'FINISHED' },
    );
    const { handler, context } = testHandler();

    const result = await handler(event('Update', undefined, files), context);

    const batches = redshiftData.commandCalls(BatchExecuteStatementCommand).map((c) => c.args[0].input);
    expect(batches.map((b) => b.Sqls)).toEqual([
      ['CREATE GROUP bank_reporting'],
      ['CREATE GROUP bank_loader'],
      ['CREATE SCHEMA IF NOT EXISTS banking'],
    ]);
    expect(batches[1]?.StatementName).toBe('warehouse-schema 002_groups.if-absent.sql #2');
    expect(result.Data?.AppliedFiles).toBe('2');
  });

  it('fails an .if-absent file on any other error, naming the file and the statement', async () => {
    const files = [{ Name: '002_groups.if-absent.sql', Statements: ['CREATE GROUP bank_reporting'] }];
    respondPerBatch(() => ({ Status: 'FAILED', Error: 'ERROR: permission denied to create group' }));
    const { handler, context } = testHandler();

    const failure = handler(event('Create', undefined, files), context);

    await expect(failure).rejects.toThrow(
      /002_groups\.if-absent\.sql failed in statement: CREATE GROUP bank_reporting: ERROR: permission denied/,
    );
  });

  it('reports an ABORTED batch with the file name even when Redshift gives no message', async () => {
    respondPerBatch(() => ({ Status: 'ABORTED' }));
    const { handler, context } = testHandler();

    await expect(handler(event('Create'), context)).rejects.toThrow(
      /001_schema\.sql failed: the statement ended ABORTED without an error message/,
    );
  });

  it('retries a throttled BatchExecuteStatement and DescribeStatement with growing backoff', async () => {
    let batchAttempts = 0;
    let describeAttempts = 0;
    redshiftData.on(BatchExecuteStatementCommand).callsFake(() => {
      batchAttempts++;
      if (batchAttempts <= 2) {
        throw new ActiveStatementsExceededException({
          message: 'Active statements exceeded the allowed quota',
          $metadata: {},
        });
      }
      return { Id: `stmt-${batchAttempts}` };
    });
    redshiftData.on(DescribeStatementCommand).callsFake(() => {
      describeAttempts++;
      if (describeAttempts === 1) {
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return { Status: 'FINISHED' };
    });
    const { handler, context, sleeps } = testHandler();

    const result = await handler(event('Create', undefined, [SQL_FILES[0]]), context);

    expect(result.Data?.AppliedFiles).toBe('1');
    expect(batchAttempts).toBe(3);
    expect(describeAttempts).toBe(2);
    expect(sleeps).toEqual([500, 1_000, 500]);
  });

  it('gives up on a call that stays throttled and says so', async () => {
    redshiftData.on(BatchExecuteStatementCommand).rejects(
      Object.assign(new Error('Too many requests'), {
        name: 'TooManyRequestsException',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    const { handler, context, sleeps } = testHandler();

    await expect(handler(event('Create'), context)).rejects.toThrow(
      /BatchExecuteStatement for 001_schema\.sql was still throttled after 6 attempts/,
    );
    expect(redshiftData.commandCalls(BatchExecuteStatementCommand)).toHaveLength(6);
    expect(sleeps).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
  });

  it('does not retry errors that are not throttling', async () => {
    redshiftData
      .on(BatchExecuteStatementCommand)
      .rejects(new ValidationException({ message: 'Database bank does not exist', $metadata: {} }));
    const { handler, context } = testHandler();

    await expect(handler(event('Create'), context)).rejects.toThrow('Database bank does not exist');
    expect(redshiftData.commandCalls(BatchExecuteStatementCommand)).toHaveLength(1);
  });

  it('stops waiting before the Lambda times out and names the file still running', async () => {
    redshiftData.on(BatchExecuteStatementCommand).resolves({ Id: 'stmt-long' });
    redshiftData.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    const { handler, context } = testHandler();

    await expect(handler(event('Create'), context)).rejects.toThrow(
      /001_schema\.sql was still STARTED \(statement stmt-long\)/,
    );
  });

  it('does nothing on Delete: the schema and its data stay with the warehouse', async () => {
    const { handler, context } = testHandler();

    const result = await handler(event('Delete'), context);

    expect(redshiftData.calls()).toHaveLength(0);
    expect(result).toEqual({ PhysicalResourceId: 'warehouse-schema:workgroup/dev-bankpipe:bank' });
  });

  it.each([
    [
      { Database: 'bank', SecretArn: SECRET_ARN },
      SQL_FILES,
      /exactly one of WorkgroupName .* or ClusterIdentifier/,
    ],
    [
      { Database: 'bank', ClusterIdentifier: 'c' },
      SQL_FILES,
      /provisioned Target needs DbUser .* or SecretArn/,
    ],
    [
      { Database: 'bank', WorkgroupName: 'wg', DbUser: 'u' },
      SQL_FILES,
      /DbUser is for a provisioned cluster only/,
    ],
    [
      { Database: 'bank', ClusterIdentifier: 'c', DbUser: 'u', SecretArn: SECRET_ARN },
      SQL_FILES,
      /DbUser .* or SecretArn, not both/,
    ],
    [
      { Database: 'bank', SecretArn: SECRET_ARN, WorkgroupName: 'wg' },
      [],
      /SqlFiles must be a non-empty list/,
    ],
    [
      { Database: 'bank', SecretArn: SECRET_ARN, WorkgroupName: 'wg' },
      [{ Name: '001_a.sql', Statements: [] }],
      /001_a\.sql\)\.Statements/,
    ],
  ])('rejects malformed properties before calling Redshift (%#)', async (target, sqlFiles, message) => {
    const { handler, context } = testHandler();

    await expect(
      handler(event('Create', target as Record<string, string>, sqlFiles), context),
    ).rejects.toThrow(message);
    expect(redshiftData.calls()).toHaveLength(0);
  });
});
