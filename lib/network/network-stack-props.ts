import type * as kms from 'aws-cdk-lib/aws-kms';
import type { PipelineStackProps } from '../shared/pipeline-stack-props';

/**
 * Props of NetworkStack. The VPC shape comes from `config.network`:
 * `vpcCidr` (default '10.40.0.0/16'), `maxAzs` (default 3),
 * `availabilityZones` (default: the region's first `maxAzs`; zone IDs or
 * names to choose them), `natGateways` (default 1; 0 means no internet egress
 * at all, AWS APIs through endpoints only) and `flowLogRetentionDays`
 * (default 365).
 */
export interface NetworkStackProps extends PipelineStackProps {
  /** Key encrypting the VPC flow-log group. */
  readonly dataKey: kms.IKey;
}
