import type * as kms from 'aws-cdk-lib/aws-kms';
import type { PipelineStackProps } from '../shared/pipeline-stack-props';

/**
 * Props of NetworkStack. The VPC shape comes from `config.network` (CIDR, AZ count
 * or explicit zones, NAT gateways, flow-log retention); its defaults are defined
 * once, in lib/config/stage-settings.ts, and documented (generated from it) in the
 * README's configuration reference.
 */
export interface NetworkStackProps extends PipelineStackProps {
  /** Key encrypting the VPC flow-log group. */
  readonly dataKey: kms.IKey;
}
