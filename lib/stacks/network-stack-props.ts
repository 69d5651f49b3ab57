import type * as kms from 'aws-cdk-lib/aws-kms';
import type { PipelineStackProps } from './pipeline-stack-props';

export interface NetworkStackProps extends PipelineStackProps {
  /** Key encrypting the VPC flow-log group. */
  readonly dataKey: kms.IKey;
}
