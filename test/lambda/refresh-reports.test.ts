import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { materializedViewsIn } from '../../lib/orchestration/orchestration-report-views';
import { createRedshiftDataRunner } from '../../lambda/refresh-reports/aws-ports';
import {
  type InvocationClock,
  type RefreshReportsSettings,
  ReportRefreshError,
  refreshReports,
} from '../../lambda/refresh-reports/refresh-reports';
import { PermanentError, RetryableError } from '../../lambda/shared/errors';
import { awsError, expectDataApiTarget, fastRetry, memoryLog, mockSdkClient } from './aws-test-helpers';

const redshift = mockSdkClient(RedshiftDataClient);
const runner = createRedshiftDataRunner(new RedshiftDataClient({}), {
  kind: 'serverless',
  workgroupName: 'bank-wg',
  database: 'bank',
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
        Sql: 'REFRESH MATERIALIZED VIEW banking.mv_monthly_trend',
        ClientToken: 'run-2024-05-01T10-0',
      }),
      expect.objectContaining({
        Sql: 'REFRESH MATERIALIZED VIEW banking.mv_yearly_trend',
        ClientToken: 'run-2024-05-01T10-1',
      }),
    ]);
  });

  it('signs in to a Serverless workgroup as its own IAM role: no secret, no database user', async () => {
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    await refreshReports({ runId: 'run-1' }, runner, clock(300_000), settings(), memoryLog());
    expectDataApiTarget(
      redshift.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input),
      { WorkgroupName: 'bank-wg', Database: 'bank' },
    );
  });

  it('signs in to a provisioned cluster as its database user with temporary credentials, no secret', async () => {
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    const clusterRunner = createRedshiftDataRunner(new RedshiftDataClient({}), {
      kind: 'provisioned',
      clusterIdentifier: 'bank-cluster',
      database: 'bank',
      dbUser: 'bank_reports_job',
    });
    await refreshReports({ runId: 'run-1' }, clusterRunner, clock(300_000), settings(), memoryLog());
    const inputs = redshift.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expectDataApiTarget(inputs, {
      ClusterIdentifier: 'bank-cluster',
      DbUser: 'bank_reports_job',
      Database: 'bank',
    });
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

  it('refreshes every report view of sql/redshift exactly once per run, across hand-backs and a retried invocation', async () => {
    const views = materializedViewsIn(path.resolve(__dirname, '..', '..', 'sql', 'redshift'));
    expect(views.length).toBeGreaterThanOrEqual(8);
    // The Data API answers a repeated ClientToken with the statement it already has.
    const byToken = new Map<string, string>();
    redshift.on(ExecuteStatementCommand).callsFake((input: { ClientToken: string }) => {
      if (!byToken.has(input.ClientToken)) byToken.set(input.ClientToken, `stmt-${byToken.size + 1}`);
      return { Id: byToken.get(input.ClientToken) };
    });
    // Every statement reports STARTED on its first check and FINISHED afterwards.
    const checks = new Map<string, number>();
    redshift.on(DescribeStatementCommand).callsFake((input: { Id: string }) => {
      checks.set(input.Id, (checks.get(input.Id) ?? 0) + 1);
      return { Status: checks.get(input.Id) === 1 ? 'STARTED' : 'FINISHED' };
    });
    const runSettings = { ...settings(), views, maxInvocations: 100 };

    // The state machine's loop: call, and call again with what came back until done. The budget
    // (under one poll) makes the function hand back while a statement runs; the third invocation is
    // repeated with the same input, as a Lambda retry after a lost response would be.
    let state: Parameters<typeof refreshReports>[0] = { runId: 'run-2024-05-01T10' };
    let invocations = 0;
    for (;;) {
      invocations += 1;
      if (invocations === 3) await refreshReports(state, runner, clock(10_500), runSettings, memoryLog());
      const result = await refreshReports(state, runner, clock(10_500), runSettings, memoryLog());
      if (result.done) {
        expect(result.refreshed).toEqual(views);
        break;
      }
      state = result;
      expect(invocations).toBeLessThan(100);
    }
    expect(invocations).toBeGreaterThanOrEqual(views.length); // it handed back while statements ran

    const refreshesPerView = new Map<string, Set<string>>();
    for (const call of redshift.commandCalls(ExecuteStatementCommand)) {
      const { Sql, ClientToken } = call.args[0].input;
      const view = (Sql ?? '').replace('REFRESH MATERIALIZED VIEW ', '');
      refreshesPerView.set(view, new Set([...(refreshesPerView.get(view) ?? []), ClientToken ?? '']));
    }
    // One statement (one client token) per view: the warehouse refreshes each exactly once.
    expect([...refreshesPerView.keys()]).toEqual(views);
    for (const tokens of refreshesPerView.values()) expect(tokens.size).toBe(1);
    expect(byToken.size).toBe(views.length);
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
