import type { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { EmrRunSettings } from '../../processing/emr-run-settings';

export interface AtmStepStateProps {
  /** Where the ATM job's script and its Python files are. */
  readonly emr: EmrRunSettings;
  /** The job reads the run's raw prefix from here. */
  readonly rawBucket: s3.IBucket;
  /** The job writes valid records here. */
  readonly processedBucket: s3.IBucket;
  /** The job writes rejected records here. */
  readonly quarantineBucket: s3.IBucket;
  /** The ATM Spark step, from submission to its end. */
  readonly timeout: Duration;
}
