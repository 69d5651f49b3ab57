import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { StatementRunner, StatementStatus } from './refresh-reports';

/**
 * Where statements run and as whom, with temporary credentials and no stored password
 * (Redshift Data API, "Authorizing access to the Data API"):
 * - serverless: the workgroup; the Data API signs in as this function's IAM role
 *   (`IAMR:<role name>`, redshift-serverless:GetCredentials), which gets the database roles named
 *   in the role's RedshiftDbRoles tag;
 * - provisioned: the cluster and a database user; the Data API gets that user's temporary
 *   credentials (redshift:GetClusterCredentials) and joins it to the groups in the role's
 *   RedshiftDbGroups tag.
 */
export type WarehouseTarget =
  | {
      readonly kind: 'serverless';
      readonly workgroupName: string;
      readonly database: string;
    }
  | {
      readonly kind: 'provisioned';
      readonly clusterIdentifier: string;
      readonly database: string;
      readonly dbUser: string;
    };

/** StatementRunner on the Redshift Data API. */
export function createRedshiftDataRunner(
  client: RedshiftDataClient,
  target: WarehouseTarget,
): StatementRunner {
  const where =
    target.kind === 'serverless'
      ? { WorkgroupName: target.workgroupName }
      : { ClusterIdentifier: target.clusterIdentifier, DbUser: target.dbUser };
  return {
    async submit(sql: string, clientToken: string): Promise<string> {
      const result = await client.send(
        new ExecuteStatementCommand({
          ...where,
          Database: target.database,
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
