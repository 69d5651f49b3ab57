import { RemovalPolicy } from 'aws-cdk-lib';
import type { StageConfig } from '../config';

/**
 * Removal policy of everything that holds data or audit evidence (keys,
 * buckets, log groups, the warehouse and its admin secret):
 * kept on `cdk destroy` unless the stage was synthesized with
 * `-c allowDestroy=true`. Losing a key or a bucket of a bank's transaction
 * history by accident is not recoverable, so destroy is opt-in per invocation.
 */
export function dataRemovalPolicy(config: Pick<StageConfig, 'allowDestroy'>): RemovalPolicy {
  return config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
