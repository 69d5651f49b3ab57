import type { DataServiceStackProps } from '../shared/shared-stack-props';
import type { WarehouseConnection } from '../warehouse/warehouse-stack';

/** Props of AnalyticsStack: Glue catalog, crawlers and load job, Athena workgroup and named queries. */
export interface AnalyticsStackProps extends DataServiceStackProps {
  /** How the load job reaches the warehouse. */
  readonly warehouse: WarehouseConnection;
  /**
   * Folder of the report queries `<report>.sql`, absolute or relative to the repo root. The file
   * names are also the report folders the processed crawler catalogs.
   * @default 'sql/athena'
   */
  readonly athenaSqlDir?: string;
  /**
   * Folder of the Spark job sources (glue_load_warehouse.py and the bankpipe package).
   * @default 'spark-jobs'
   */
  readonly sparkJobsDir?: string;
  /**
   * The transaction contract shipped inside the bankpipe zip.
   * @default 'contracts/transaction.schema.json'
   */
  readonly contractSchemaPath?: string;
  /**
   * The Redshift JDBC driver jar the load job gets with --extra-jars (spark-jobs/jdbc/pom.xml fetches it).
   * @default the redshift-jdbc42-*.jar in '.local/jars'
   */
  readonly jdbcDriverPath?: string;
}
