import type { DataServiceStackProps } from '../shared/shared-stack-props';

/** Props of ProcessingStack: EMR roles, security configuration and the ATM job assets. */
export interface ProcessingStackProps extends DataServiceStackProps {
  /**
   * Folder of the Spark job sources (atm_job.py and the bankpipe package), absolute or relative to the repo root.
   * @default 'spark-jobs'
   */
  readonly sparkJobsDir?: string;
  /**
   * The transaction contract shipped inside the bankpipe zip, absolute or relative to the repo root.
   * @default 'contracts/transaction.schema.json'
   */
  readonly contractSchemaPath?: string;
}
