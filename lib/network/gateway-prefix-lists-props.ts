import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';

/** Props of GatewayPrefixLists. */
export interface GatewayPrefixListsProps {
  /** Key encrypting the lookup function's log group. */
  readonly dataKey: kms.IKey;
  /** Days to keep the lookup function's logs (a CloudWatch Logs retention value). */
  readonly logRetentionDays: number;
  /** What happens to the log group when the stack is deleted. */
  readonly logRemovalPolicy: RemovalPolicy;
}
