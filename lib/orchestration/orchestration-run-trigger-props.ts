import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { StageConfig } from '../config';

/**
 * Props of RunTrigger. The retry budget is not a prop: it is the stage setting
 * `orchestration.maxRunAttempts` (read from `config`).
 */
export interface RunTriggerProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly rawBucket: s3.IBucket;
  readonly stateMachine: sfn.IStateMachine;
  /**
   * Closed hours examined on each tick (catch-up window after an outage).
   * @default 24
   */
  readonly lookbackHours?: number;
  /**
   * Minutes after the end of an hour before it is processed, so the S3 sink has flushed it.
   * @default 10
   */
  readonly closeDelayMinutes?: number;
  /**
   * Days the runs ledger keeps a claim (DynamoDB TTL); must exceed the 90 days
   * Step Functions keeps execution names unique.
   * @default 400
   */
  readonly claimTtlDays?: number;
}
