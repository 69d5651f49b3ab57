import type { Duration } from 'aws-cdk-lib';

export interface LoadWarehouseStateProps {
  /** The Glue job that loads the run's processed data into the warehouse. */
  readonly loadJobName: string;
  /** The Glue load job, from start to its end. */
  readonly timeout: Duration;
}
