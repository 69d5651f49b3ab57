import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { dataRemovalPolicy } from './data-removal-policy';

/**
 * A log group of the pipeline: encrypted with the pipeline key, kept for the
 * stage's `orchestration.logRetentionDays`, and retained unless destroy is allowed.
 */
export function encryptedLogGroup(
  scope: Construct,
  id: string,
  props: { config: StageConfig; dataKey: kms.IKey; logGroupName?: string },
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    logGroupName: props.logGroupName,
    encryptionKey: props.dataKey,
    retention: props.config.orchestration.logRetentionDays as logs.RetentionDays,
    removalPolicy: dataRemovalPolicy(props.config),
  });
}
