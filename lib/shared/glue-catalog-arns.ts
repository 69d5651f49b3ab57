import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The ARNs a reader of one Glue database's tables names in its policy: Glue
 * authorizes a table call against the catalog, the database and the table.
 */
export interface GlueCatalogArns {
  readonly catalog: string;
  readonly database: string;
  /** Every table of the database (`table/<database>/*`): they appear as data arrives. */
  readonly tables: string;
}

export function glueCatalogArns(scope: Construct, databaseName: string): GlueCatalogArns {
  const glueArn = (resource: string, resourceName?: string): string =>
    Stack.of(scope).formatArn({ service: 'glue', resource, resourceName });
  return {
    catalog: glueArn('catalog'),
    database: glueArn('database', databaseName),
    tables: glueArn('table', `${databaseName}/*`),
  };
}
