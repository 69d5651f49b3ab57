import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { PipelineStackProps } from './pipeline-stack-props';

export interface StorageStackProps extends PipelineStackProps {
  readonly dataKey: kms.IKey;
}

/** The data-lake zones and the supporting buckets, all KMS-encrypted, TLS-only, private. */
export interface DataLakeBuckets {
  readonly raw: s3.IBucket;
  readonly processed: s3.IBucket;
  readonly quarantine: s3.IBucket;
  readonly athenaResults: s3.IBucket;
  /** Job scripts, connector plugin zips, EMR logs. */
  readonly artifacts: s3.IBucket;
  readonly accessLogs: s3.IBucket;
}

export class StorageStack extends Stack {
  readonly buckets!: DataLakeBuckets;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
