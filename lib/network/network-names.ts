/** Names and ports the network stack defines and the other domains select by. */

/** Subnet group holding the NAT gateways only (absent when `natGateways` is 0). */
export const PUBLIC_SUBNET_GROUP = 'public';
/**
 * Subnet group every data service runs in (MSK, MSK Connect, EMR, Glue, Lambdas,
 * Transfer Family). Private with NAT egress, or isolated when `natGateways` is 0:
 * select it with `{ subnetGroupName: SERVICE_SUBNET_GROUP }` so both shapes work.
 */
export const SERVICE_SUBNET_GROUP = 'services';
/** Tag that AmazonEMRServicePolicy_v2 requires on the subnets and security groups EMR uses. */
export const EMR_MANAGED_POLICY_TAG = 'for-use-with-amazon-emr-managed-policies';
/** Isolated subnet group (no route out of the VPC at all) for the warehouse. */
export const WAREHOUSE_SUBNET_GROUP = 'warehouse';

/** Ports of the traffic rules between the services. */
export const PORTS = {
  /** MSK brokers, SASL/IAM over TLS. */
  mskIam: 9098,
  redshift: 5439,
  sftp: 22,
  https: 443,
  /** EMR service access (EMR control plane -> nodes) in private subnets. */
  emrServiceAccessToNodes: 8443,
  /** EMR nodes -> service access security group. */
  emrNodesToServiceAccess: 9443,
} as const;
