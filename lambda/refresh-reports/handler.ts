import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { clientConfig } from '../shared/clients';
import { integerEnv, listEnv, oneOfEnv, requireEnv } from '../shared/config';
import { fromPowertools } from '../shared/log';
import { createObservability, runInvocation } from '../shared/powertools';
import { createRedshiftDataRunner, type WarehouseTarget } from './aws-ports';
import { type RefreshReportsResult, ReportRefreshError, refreshReports } from './refresh-reports';

/** refresh-reports: refreshes the reporting materialized views after the warehouse load (state machine loop). */
const env = process.env;
const { logger, metrics, tracer } = createObservability('refresh-reports');
const database = requireEnv(env, 'WAREHOUSE_DATABASE', 'the Redshift database name');
const kind = oneOfEnv(env, 'WAREHOUSE_KIND', ['serverless', 'provisioned'] as const);
const target: WarehouseTarget =
  kind === 'serverless'
    ? {
        kind,
        database,
        workgroupName: requireEnv(env, 'WAREHOUSE_WORKGROUP', 'the Redshift Serverless workgroup name'),
      }
    : {
        kind,
        database,
        clusterIdentifier: requireEnv(env, 'WAREHOUSE_CLUSTER', 'the Redshift cluster identifier'),
        dbUser: requireEnv(
          env,
          'WAREHOUSE_DB_USER',
          'the database user the refresh signs in as (temporary credentials, no password)',
        ),
      };
const runner = createRedshiftDataRunner(
  tracer.captureAWSv3Client(new RedshiftDataClient(clientConfig())),
  target,
);
const settings = {
  views: listEnv(
    env,
    'REPORT_VIEWS',
    'the comma-separated materialized views to refresh (schema.name)',
    /^[a-z_][a-z0-9_.]*$/,
  ),
  pollIntervalMs: integerEnv(env, 'POLL_INTERVAL_MS', 'the pause between statement checks', {
    min: 100,
    max: 60_000,
    fallback: 2_000,
  }),
  maxInvocations: integerEnv(
    env,
    'MAX_INVOCATIONS',
    'the invocations after which a refresh is considered stuck',
    {
      min: 1,
      max: 1000,
      fallback: 30,
    },
  ),
};

export async function handler(event: unknown, context: Context): Promise<RefreshReportsResult> {
  const clock = {
    timeLeftMs: () => context.getRemainingTimeInMillis(),
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  };
  const failure = {
    message: 'report refresh failed',
    metric: 'ReportRefreshFailures',
    counts: (error: unknown) => error instanceof ReportRefreshError,
  };
  return runInvocation({ logger, metrics }, failure, async () => {
    const result = await refreshReports(event, runner, clock, settings, fromPowertools(logger));
    if (result.done) metrics.addMetric('ReportsRefreshed', MetricUnit.Count, result.refreshed.length);
    return result;
  });
}
