import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { StatementRunner, StatementState } from './apply-sql-files';
import type { WarehouseTarget } from './schema-request';

/** StatementRunner over the Redshift Data API, signed in as the target says (schema-request.ts). */
export class RedshiftDataRunner implements StatementRunner {
  constructor(private readonly client: RedshiftDataClient) {}

  async submitBatch(target: WarehouseTarget, statements: string[], statementName: string): Promise<string> {
    const output = await this.client.send(
      new BatchExecuteStatementCommand({
        Sqls: statements,
        Database: target.database,
        WorkgroupName: target.workgroupName,
        ClusterIdentifier: target.clusterIdentifier,
        DbUser: target.dbUser,
        SecretArn: target.secretArn,
        StatementName: statementName.slice(0, 500),
      }),
    );
    if (output.Id === undefined) {
      throw new Error(`BatchExecuteStatement returned no statement id for ${statementName}`);
    }
    return output.Id;
  }

  async describe(statementId: string): Promise<StatementState> {
    const output = await this.client.send(new DescribeStatementCommand({ Id: statementId }));
    // A batch reports per statement; the failed one says what went wrong and where.
    const failed = output.SubStatements?.find((s) => s.Status === 'FAILED');
    return {
      status: output.Status ?? 'UNKNOWN',
      error: failed?.Error ?? output.Error,
      failedStatement: failed?.QueryString,
    };
  }
}
