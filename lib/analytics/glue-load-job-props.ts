import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { StageConfig, WarehouseKind } from '../config';

/** The warehouse the load job logs in to, with temporary credentials of its own IAM role. */
export interface LoadJobWarehouse {
  readonly kind: WarehouseKind;
  readonly databaseName: string;
  /** Serverless workgroup name (kind = serverless). */
  readonly workgroupName?: string;
  /** Serverless workgroup ARN, the resource of `redshift-serverless:GetCredentials` (kind = serverless). */
  readonly workgroupArn?: string;
  /** Provisioned cluster identifier (kind = provisioned). */
  readonly clusterIdentifier?: string;
  /** `jdbc:redshift://host:port/db`. */
  readonly jdbcUrl: string;
}

export interface WarehouseLoadJobProps {
  readonly config: StageConfig;
  readonly jobName: string;
  readonly connectionName: string;
  readonly dataKey: kms.IKey;
  readonly processed: s3.IBucket;
  readonly artifacts: s3.IBucket;
  /** s3:// URIs and ARNs of the job files, as deployed. */
  readonly scriptUri: string;
  readonly pyFilesUri: string;
  readonly jdbcDriverUri: string;
  readonly jobFileArns: string[];
  readonly securityConfigurationName: string;
  readonly warehouse: LoadJobWarehouse;
  /** Subnet of the Glue network connection (a private services subnet) and the Glue security group. */
  readonly subnet: ec2.ISubnet;
  readonly securityGroup: ec2.ISecurityGroup;
}
