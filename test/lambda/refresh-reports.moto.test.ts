import { Readable } from 'node:stream';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { HttpHandlerOptions, HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedshiftDataRunner } from '../../lambda/refresh-reports/aws-ports';
import { startMotoServer, type MotoServer } from '../helpers/moto-server';

/**
 * The refresh-reports adapter (lambda/refresh-reports/aws-ports.ts) with the
 * real AWS SDK against a moto server's Redshift Data API.
 *
 * moto answers the Data API with canned data: every statement stays STARTED,
 * nothing runs, WorkgroupName and ClientToken are ignored, and no statement
 * ever fails. It also writes CreatedAt/UpdatedAt as ISO strings where the API
 * sends epoch seconds, which SDK v3 refuses to read ("Expected real number");
 * {@link epochTimestamps} converts them so the rest of the response is read
 * as the SDK reads AWS's. What the test does show is that ExecuteStatement and
 * DescribeStatement go over the wire with the parameters the adapter means
 * (moto echoes the SQL, database, database user and cluster back) and that the
 * adapter reads the id and status from real responses. Statement outcomes
 * (FINISHED, FAILED, ABORTED) and the refresh loop stay in
 * refresh-reports.test.ts with aws-sdk-client-mock. The warehouse-schema
 * runner has no moto test: moto does not serve BatchExecuteStatement, so it
 * stays in warehouse-schema.test.ts with aws-sdk-client-mock.
 */

const SQL = 'REFRESH MATERIALIZED VIEW banking.mv_monthly_trend';

let moto: MotoServer;
let client: RedshiftDataClient;

beforeAll(async () => {
  moto = await startMotoServer();
  client = new RedshiftDataClient(moto.clientConfig());
  readEpochTimestamps(client);
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

/** Makes the client's HTTP handler rewrite moto's ISO-string timestamps into the epoch seconds the API sends. */
function readEpochTimestamps(target: RedshiftDataClient): void {
  const http = target.config.requestHandler as RequestHandler<HttpRequest, HttpResponse, HttpHandlerOptions>;
  const handle = http.handle.bind(http);
  http.handle = async (request, options) => {
    const { response } = await handle(request, options);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
    const text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(
        /"(CreatedAt|UpdatedAt)": "([^"]+)"/g,
        (_all, key: string, iso: string) =>
          `"${key}": ${Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`) / 1000}`,
      );
    const body = Buffer.from(text, 'utf8');
    const headers = { ...response.headers, 'content-length': String(body.length) };
    return { response: { ...response, headers, body: Readable.from([body]) } as HttpResponse };
  };
}

/** What moto recorded for a statement (it echoes the request's parameters). */
async function recorded(statementId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'RedshiftData.DescribeStatement',
      Authorization: `AWS4-HMAC-SHA256 Credential=${moto.credentials.accessKeyId}/20240501/${moto.region}/redshift-data/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ Id: statementId }),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('createRedshiftDataRunner (Redshift Data API)', () => {
  it('submits to a provisioned cluster as its database user (temporary credentials) with the SQL', async () => {
    const runner = createRedshiftDataRunner(client, {
      kind: 'provisioned',
      clusterIdentifier: 'dev-warehouse',
      database: 'bank',
      dbUser: 'bank_reports_job',
    });
    const id = await runner.submit(SQL, 'run-2024-05-01T11-mv_monthly_trend');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await recorded(id)).toMatchObject({
      ClusterIdentifier: 'dev-warehouse',
      Database: 'bank',
      DbUser: 'bank_reports_job',
      QueryString: SQL,
    });
    expect((await recorded(id)).SecretArn ?? null).toBeNull();
    await expect(runner.describe(id)).resolves.toEqual({ state: 'STARTED', error: undefined });
  });

  it('submits to a Serverless workgroup as its IAM role: no secret, no database user (moto drops WorkgroupName)', async () => {
    const runner = createRedshiftDataRunner(client, {
      kind: 'serverless',
      workgroupName: 'dev-bank',
      database: 'bank',
    });
    const id = await runner.submit(SQL, 'run-2024-05-01T11-mv_monthly_trend');
    const statement = await recorded(id);
    expect(statement).toMatchObject({ Database: 'bank', QueryString: SQL });
    expect(statement.SecretArn ?? null).toBeNull();
    expect(statement.DbUser ?? null).toBeNull();
    await expect(runner.describe(id)).resolves.toMatchObject({ state: 'STARTED' });
  });

  it('lets an unknown statement id fail as the SDK reports it', async () => {
    const runner = createRedshiftDataRunner(client, {
      kind: 'serverless',
      workgroupName: 'dev-bank',
      database: 'bank',
    });
    await expect(runner.describe('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
