import type * as kms from 'aws-cdk-lib/aws-kms';
import type { PipelineStackProps } from '../shared/pipeline-stack-props';

/**
 * Props of StorageStack. Lifecycle periods come from `config.storage`
 * (raw to infrequent access after 30 days and to Glacier after 90 by default,
 * quarantine expiry 400 days, Athena results 30 days, access logs 365 days);
 * buckets are retained on `cdk destroy` unless `config.allowDestroy` (default false).
 */
export interface StorageStackProps extends PipelineStackProps {
  /** The pipeline's customer-managed key; every data bucket is SSE-KMS with it. */
  readonly dataKey: kms.IKey;
}
