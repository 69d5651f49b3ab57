import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { StageConfig } from '../config';
import type { ManagedPolicyRole } from '../shared/managed-policy-role';
import type { WarehouseSqlFile } from './redshift-sql-files';

/**
 * Where the SQL runs and as whom (lambda/warehouse-schema/schema-request.ts): exactly one of
 * `workgroupName` and `clusterIdentifier`; on a cluster, `dbUser` or `secretArn`.
 */
export interface SchemaLogin {
  readonly databaseName: string;
  /** Serverless workgroup; without `secretArn` the Data API signs in as the handler's IAM role. */
  readonly workgroupName?: string;
  /** Provisioned cluster identifier. */
  readonly clusterIdentifier?: string;
  /** Provisioned: the database user the Data API gets temporary credentials for. */
  readonly dbUser?: string;
  /** A Secrets Manager secret with user and password, when no IAM login can do the work. */
  readonly secretArn?: string;
}

/** Props of WarehouseSchema: SQL files applied at deploy time through the Data API. */
export interface WarehouseSchemaProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** What the files are, for descriptions and messages ("warehouse schema", "warehouse report views"). */
  readonly purpose: string;
  /** ARN of the workgroup or cluster (the Data API authorizes statements on it). */
  readonly warehouseArn: string;
  readonly login: SchemaLogin;
  /** IAM statements the login needs (GetCredentials, GetClusterCredentials, or reading the secret). */
  readonly loginStatements: iam.PolicyStatement[];
  /**
   * Why `loginStatements` hold a `Resource::*` (tag reads of a RedshiftDbRoles login), if they do.
   * @default no wildcard in the login statements
   */
  readonly loginWildcardReason?: string;
  /** The files, in order (redshift-sql-files.ts). */
  readonly sqlFiles: WarehouseSqlFile[];
  /**
   * Run the handler with this role instead of one of its own: the role of the job whose database
   * identity must create the objects (on Redshift Serverless the IAM role is the database user).
   * @default a role of its own, with exactly the handler's permissions
   */
  readonly role?: ManagedPolicyRole;
  /**
   * CloudFormation resource type of the custom resource.
   * @default 'Custom::WarehouseSchema'
   */
  readonly resourceType?: string;
}
