import { Stack } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { WarehouseKind } from '../config';
import type { DataServiceStackProps } from './shared-stack-props';

export type WarehouseStackProps = DataServiceStackProps;

/** How jobs and Lambdas reach the warehouse. */
export interface WarehouseConnection {
  readonly kind: WarehouseKind;
  readonly databaseName: string;
  /** Admin credentials (username/password/host/port) in Secrets Manager. */
  readonly adminSecret: secretsmanager.ISecret;
  readonly endpointAddress: string;
  readonly port: number;
  /** Serverless workgroup name (kind = serverless). */
  readonly workgroupName?: string;
  /** Provisioned cluster identifier (kind = provisioned). */
  readonly clusterIdentifier?: string;
  /** ARN the Redshift Data API is called against (workgroup or cluster). */
  readonly dataApiResourceArn: string;
}

export interface WarehouseMonitoringTargets {
  readonly kind: WarehouseKind;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
}

/** Redshift Serverless (or provisioned), private and encrypted, with schema and reporting objects created at deploy. */
export class WarehouseStack extends Stack {
  readonly connection!: WarehouseConnection;
  readonly monitoringTargets!: WarehouseMonitoringTargets;

  constructor(scope: Construct, id: string, props: WarehouseStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
