import { PORTS } from '../network/network-names';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/** The Redshift port: the one the network stack's security group rules open. */
export const REDSHIFT_PORT: number = PORTS.redshift;
/** Admin user name: not the `awsuser` default (cdk-nag AwsSolutions-RS3), no secret. */
export const REDSHIFT_ADMIN_USER = 'bank_admin';

/** What a warehouse construct (serverless or provisioned) gives the stack. */
export interface WarehouseEndpoint {
  readonly adminSecret: secretsmanager.ISecret;
  readonly endpointAddress: string;
  readonly port: number;
  /** Workgroup or cluster ARN: what the Data API authorizes statements on. */
  readonly dataApiResourceArn: string;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
}
