import type { DataServiceStackProps } from '../shared/shared-stack-props';

/** Props of WarehouseStack: Redshift (serverless or provisioned) and its deploy-time schema. */
export interface WarehouseStackProps extends DataServiceStackProps {
  /**
   * Folder of the warehouse DDL files NNN_*.sql, absolute or relative to the repo root.
   * @default 'sql/redshift'
   */
  readonly sqlDir?: string;
}
