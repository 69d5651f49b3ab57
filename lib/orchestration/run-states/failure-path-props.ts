import type * as sns from 'aws-cdk-lib/aws-sns';

export interface FailurePathProps {
  /** Stage name, in the alert's subject and summary. */
  readonly stage: string;
  /** Topic the failure alert is published to. */
  readonly alertsTopic: sns.ITopic;
}
