import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { StageConfig } from '../config';

/** What either kind of warehouse (provisioned cluster or Serverless) is built from. */
export interface RedshiftWarehouseProps {
  readonly config: StageConfig;
  /** The pipeline key: data, audit logs and the Redshift-managed admin secret. */
  readonly dataKey: kms.IKey;
  /**
   * `<stage>-<slug>` (e.g. `dev-bankpipe`): the cluster identifier (provisioned) or the namespace and workgroup name
   * (Serverless); fixed so the audit log groups can be created before the warehouse.
   */
  readonly name: string;
  /** The isolated warehouse subnets. */
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  /** COPY/Spectrum role, also the warehouse's default role. */
  readonly dataRole: iam.IRole;
}
