import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRedshiftDataRunner } from '../../lambda/refresh-reports/aws-ports';
import {
  type InvocationClock,
  type RefreshReportsSettings,
  ReportRefreshError,
  refreshReports,
} from '../../lambda/refresh-reports/refresh-reports';
import { PermanentError, RetryableError } from '../../lambda/shared/errors';
import { awsError, fastRetry, memoryLog } from './aws-test-helpers';

const redshift = mockClient(RedshiftDataClient);
const runner = createRedshiftDataRunner(new RedshiftDataClient({}), {
  kind: 'serverless',
  workgroupName: 'bank-wg',
  database: 'bank',
  secretArn: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:admin-AbCdEf',
});
const VIEWS = ['banking.mv_monthly_trend', 'banking.mv_yearly_trend'];
const settings = (retry = fastRetry()): RefreshReportsSettings => ({
  views: VIEWS,
  pollIntervalMs: 1_000,
  maxInvocations: 3,
  retry,
});

/** A clock with `budgetMs` of invocation left, consumed by sleeps. */
function clock(budgetMs: number): InvocationClock & { slept: number } {
  let left = budgetMs;
  const c = {
    slept: 0,
    timeLeftMs: () => left,
    sleep: async (ms: number) => {
      left -= ms;
      c.slept += ms;
    },
  };
  return c;
}

let submitted = 0;
beforeEach(() => {
  redshift.reset();
  submitted = 0;
  redshift.on(ExecuteStatementCommand).callsFake(() => {
    submitted += 1;
    return { Id: `stmt-${submitted}` };
  });
});

describe('refresh-reports', () => {
  it('refreshes each materialized view in order, one statement each, and is done', async () => {
    redshift
      .on(DescribeStatementCommand)
      .resolvesOnce({ Status: 'STARTED' })
      .resolves({ Status: 'FINISHED' });
    const result = await refreshReports(
      { runId: 'run-2024-05-01T10' },
      runner,
      clock(300_000),
      settings(),
      memoryLog(),
    );
    expect(result).toMatchObject({
      done: true,
      viewIndex: 2,
      statementId: null,
      refreshed: VIEWS,
      invocations: 1,
    });
    const calls = redshift.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      expect.objectContaining({
        WorkgroupName: 'bank-wg',
        Database: 'bank',
        SecretArn: expect.stringContaining(':secret:admin'),
        Sql: 'REFRESH MATERIALIZED VIEW banking.mv_monthly_trend',
        ClientToken: 'run-2024-05-01T10-0',
      }),
      expect.objectContaining({
        Sql: 'REFRESH MATERIALIZED VIEW banking.mv_yearly_trend',
        ClientToken: 'run-2024-05-01T10-1',
      }),
    ]);
  });

  it('hands back to the state machine before the Lambda timeout, then resumes without resubmitting', async () => {
    redshift.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    const first = await refreshReports({ runId: 'run-1' }, runner, clock(12_000), settings(), memoryLog());
    expect(first).toMatchObject({ done: false, viewIndex: 0, statementId: 'stmt-1', invocations: 1 });

    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    const second = await refreshReports(first, runner, clock(300_000), settings(), memoryLog());
    expect(second).toMatchObject({ done: true, invocations: 2 });
    // stmt-1 was followed, not submitted again: two views, two statements in total.
    expect(submitted).toBe(2);
  });

  it('fails the run with the warehouse error when a refresh fails', async () => {
    redshift
      .on(DescribeStatementCommand)
      .resolves({ Status: 'FAILED', Error: 'permission denied for relation transactions' });
    const attempt = refreshReports({ runId: 'run-1' }, runner, clock(300_000), settings(), memoryLog());
    await expect(attempt).rejects.toThrow(ReportRefreshError);
    await expect(attempt).rejects.toThrow(
      /banking\.mv_monthly_trend failed \(statement stmt-1\): permission denied/,
    );
  });

  it('gives up after its invocation budget', async () => {
    redshift.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    await expect(
      refreshReports(
        { runId: 'run-1', statementId: 'stmt-9', invocations: 2 },
        runner,
        clock(5_000),
        settings(),
        memoryLog(),
      ),
    ).rejects.toThrow(/still STARTED after 3 invocations/);
  });

  it('retries a busy warehouse (ActiveStatementsExceeded) and then submits', async () => {
    redshift
      .on(ExecuteStatementCommand)
      .rejectsOnce(awsError('ActiveStatementsExceededException', 400))
      .resolves({ Id: 'stmt-x' });
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    const retry = fastRetry();
    const result = await refreshReports(
      { runId: 'run-1' },
      runner,
      clock(300_000),
      settings(retry),
      memoryLog(),
    );
    expect(result.done).toBe(true);
    expect(retry.sleeps).toHaveLength(1);
  });

  it('surfaces a persistent throttle as RetryableError', async () => {
    redshift.on(ExecuteStatementCommand).rejects(awsError('ThrottlingException', 400));
    await expect(
      refreshReports({ runId: 'run-1' }, runner, clock(300_000), settings(fastRetry(2)), memoryLog()),
    ).rejects.toThrow(RetryableError);
  });

  it('rejects unsafe view names and bad input before touching the warehouse', async () => {
    await expect(
      refreshReports(
        { runId: 'run-1' },
        runner,
        clock(300_000),
        { ...settings(), views: ['banking.x; DROP TABLE y'] },
        memoryLog(),
      ),
    ).rejects.toThrow(/not a lower-case schema.name identifier/);
    await expect(
      refreshReports({ runId: 'run-1', viewIndex: 7 }, runner, clock(300_000), settings(), memoryLog()),
    ).rejects.toThrow(PermanentError);
    expect(submitted).toBe(0);
  });
});
