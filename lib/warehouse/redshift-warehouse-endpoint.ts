import { PORTS } from '../network/network-names';

/** The Redshift port: the one the network stack's security group rules open. */
export const REDSHIFT_PORT: number = PORTS.redshift;
/**
 * Admin user name: not the `awsuser` default (cdk-nag AwsSolutions-RS3). Redshift manages and
 * rotates its password; only the deploy-time schema custom resource signs in as it.
 */
export const REDSHIFT_ADMIN_USER = 'bank_admin';

/** What a warehouse construct (serverless or provisioned) gives the stack. */
export interface WarehouseEndpoint {
  /**
   * Serverless: ARN of the Redshift-managed admin secret, the schema custom resource's login
   * (Redshift Serverless has no IAM login as a superuser). Provisioned: unset; the custom resource
   * gets temporary credentials for REDSHIFT_ADMIN_USER instead.
   */
  readonly adminSecretArn?: string;
  readonly endpointAddress: string;
  readonly port: number;
  /** Workgroup or cluster ARN: what the Data API authorizes statements on. */
  readonly dataApiResourceArn: string;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
}
