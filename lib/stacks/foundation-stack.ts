import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { FoundationStackProps } from './foundation-stack-props';

/**
 * The customer-managed KMS key (rotation on) that encrypts every data store,
 * log group and topic of the pipeline, and the SNS topic alarms and run
 * failures are sent to. Everything else depends on this stack.
 */
export class FoundationStack extends Stack {
  readonly dataKey!: kms.IKey;
  readonly alertsTopic!: sns.ITopic;

  constructor(scope: Construct, id: string, props: FoundationStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
