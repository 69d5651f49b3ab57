import { Readable } from 'node:stream';
import { GetCrawlerCommand, GlueClient } from '@aws-sdk/client-glue';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { expectDataApiTarget, mockSdkClient } from './aws-test-helpers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * The thin handlers: settings from the environment (a clear error naming a
 * missing variable), real SDK clients (mocked here), then the logic.
 */
const s3 = mockSdkClient(S3Client);
const glue = mockSdkClient(GlueClient);
const redshift = mockSdkClient(RedshiftDataClient);

beforeEach(() => {
  s3.reset();
  glue.reset();
  redshift.reset();
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
});
afterEach(() => vi.unstubAllEnvs());

describe('reconcile-run handler', () => {
  it('reads the manifest from PROCESSED_BUCKET and counts the raw lines in RAW_BUCKET', async () => {
    vi.stubEnv('PROCESSED_BUCKET', 'processed-bucket');
    vi.stubEnv('RAW_BUCKET', 'raw-bucket');
    const rawPrefix = 'transactions/year=2024/month=05/day=01/hour=10/';
    s3.on(GetObjectCommand, { Bucket: 'processed-bucket', Key: '_manifest/run-1.json' }).resolves({
      Body: {
        transformToString: async () =>
          JSON.stringify({ run_id: 'run-1', counts: { read: 4, valid: 3, quarantined: 1, duplicates: 0 } }),
      },
    } as never);
    s3.on(ListObjectsV2Command, { Bucket: 'raw-bucket', Prefix: rawPrefix }).resolves({
      Contents: [{ Key: `${rawPrefix}t-0-1.jsonl` }],
    });
    s3.on(GetObjectCommand, { Bucket: 'raw-bucket', Key: `${rawPrefix}t-0-1.jsonl` }).callsFake(() => ({
      Body: Readable.from([Buffer.from('{"a":1}\n{"a":2}\n{"a":3}\n{"a":4}\n')]),
    }));
    const { handler } = await import('../../lambda/reconcile-run/handler');
    await expect(handler({ runId: 'run-1', rawPrefix })).resolves.toMatchObject({
      read: 4,
      valid: 3,
      rawLines: 4,
    });
  });

  it('refuses to load without PROCESSED_BUCKET', async () => {
    await expect(import('../../lambda/reconcile-run/handler')).rejects.toThrow(/PROCESSED_BUCKET is missing/);
  });
});

describe('crawler-status handler', () => {
  it('polls the crawler named by CRAWLER_NAME', async () => {
    vi.stubEnv('CRAWLER_NAME', 'processed-crawler');
    glue.on(GetCrawlerCommand, { Name: 'processed-crawler' }).resolves({ Crawler: { State: 'RUNNING' } });
    const { handler } = await import('../../lambda/crawler-status/handler');
    await expect(handler({ startedAfter: '2024-05-01T11:00:00Z', polls: 0 })).resolves.toMatchObject({
      done: false,
      polls: 1,
    });
  });

  it('refuses a MAX_POLLS that is not a number', async () => {
    vi.stubEnv('CRAWLER_NAME', 'processed-crawler');
    vi.stubEnv('MAX_POLLS', 'lots');
    await expect(import('../../lambda/crawler-status/handler')).rejects.toThrow(
      /MAX_POLLS="lots" is not a whole number/,
    );
  });
});

describe('refresh-reports handler', () => {
  const context = { getRemainingTimeInMillis: () => 120_000 } as unknown as Context;

  it('targets the workgroup and refreshes REPORT_VIEWS in order', async () => {
    vi.stubEnv('WAREHOUSE_KIND', 'serverless');
    vi.stubEnv('WAREHOUSE_DATABASE', 'bank');
    vi.stubEnv('WAREHOUSE_WORKGROUP', 'bank-wg');
    vi.stubEnv('REPORT_VIEWS', 'banking.mv_a,banking.mv_b');
    redshift.on(ExecuteStatementCommand).resolves({ Id: 'stmt' });
    redshift.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    const { handler } = await import('../../lambda/refresh-reports/handler');
    await expect(handler({ runId: 'run-1' }, context)).resolves.toMatchObject({
      done: true,
      refreshed: ['banking.mv_a', 'banking.mv_b'],
    });
    expectDataApiTarget(
      redshift.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input),
      { WorkgroupName: 'bank-wg', Database: 'bank' },
    );
  });

  // A provisioned warehouse's settings; each case below leaves one out.
  const provisioned = {
    WAREHOUSE_KIND: 'provisioned',
    WAREHOUSE_DATABASE: 'bank',
    WAREHOUSE_CLUSTER: 'bank-cluster',
    WAREHOUSE_DB_USER: 'bank_reports_job',
    REPORT_VIEWS: 'banking.mv_a',
  };
  it.each([
    ['the cluster identifier', 'WAREHOUSE_CLUSTER'],
    ['the database user it signs in as', 'WAREHOUSE_DB_USER'],
  ])('needs %s on a provisioned warehouse', async (_what, missing) => {
    for (const [name, value] of Object.entries(provisioned)) if (name !== missing) vi.stubEnv(name, value);
    await expect(import('../../lambda/refresh-reports/handler')).rejects.toThrow(`${missing} is missing`);
  });
});
