import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { StatementRunner, StatementStatus } from './refresh-reports';

/** Where statements run: a Serverless workgroup or a provisioned cluster, authenticated with the admin secret. */
export type WarehouseTarget =
  | {
      readonly kind: 'serverless';
      readonly workgroupName: string;
      readonly database: string;
      readonly secretArn: string;
    }
  | {
      readonly kind: 'provisioned';
      readonly clusterIdentifier: string;
      readonly database: string;
      readonly secretArn: string;
    };

/** StatementRunner on the Redshift Data API. */
export function createRedshiftDataRunner(
  client: RedshiftDataClient,
  target: WarehouseTarget,
): StatementRunner {
  const where =
    target.kind === 'serverless'
      ? { WorkgroupName: target.workgroupName }
      : { ClusterIdentifier: target.clusterIdentifier };
  return {
    async submit(sql: string, clientToken: string): Promise<string> {
      const result = await client.send(
        new ExecuteStatementCommand({
          ...where,
          Database: target.database,
          SecretArn: target.secretArn,
          Sql: sql,
          ClientToken: clientToken,
          StatementName: clientToken,
        }),
      );
      if (!result.Id) throw new Error(`Redshift Data API returned no statement id for: ${sql}`);
      return result.Id;
    },
    async describe(statementId: string): Promise<StatementStatus> {
      const result = await client.send(new DescribeStatementCommand({ Id: statementId }));
      return { state: result.Status ?? 'UNKNOWN', error: result.Error };
    },
  };
}
