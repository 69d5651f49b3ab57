import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { PipelineSecurityGroups } from '../network/network-stack';
import type { PipelineStackProps } from './pipeline-stack-props';
import type { DataLakeBuckets } from '../storage/storage-stack';

/** Props of every stack that runs something inside the VPC against the data lake. */
export interface DataServiceStackProps extends PipelineStackProps {
  /** The pipeline's customer-managed key. */
  readonly dataKey: kms.IKey;
  /** The pipeline VPC; data services go in its private subnets. */
  readonly vpc: ec2.IVpc;
  /** Pre-wired security groups (rules live in NetworkStack). */
  readonly securityGroups: PipelineSecurityGroups;
  /** The data-lake buckets. */
  readonly buckets: DataLakeBuckets;
}
