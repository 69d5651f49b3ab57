import * as path from 'node:path';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { WarehouseKind } from '../config';
import { SERVICE_SUBNETS, WAREHOUSE_SUBNETS } from '../shared/emr-glue-redshift-lambda';
import { REPO_ROOT } from '../processing/emr-spark-job-bundle';
import { glueDatabaseName, resourcePrefix } from '../analytics/glue-names';
import { ProvisionedWarehouse } from './redshift-provisioned-warehouse';
import { WarehouseSchema } from './redshift-schema';
import { ServerlessWarehouse } from './redshift-serverless-warehouse';
import type { WarehouseEndpoint } from './redshift-warehouse-endpoint';
import { WarehouseDataRole } from './redshift-warehouse-role';
import type { WarehouseStackProps } from './warehouse-stack-props';
import { PipelineStack } from '../shared/pipeline-stack';
import type { WarehouseMonitoringTargets } from './warehouse-monitoring-targets';

export type { WarehouseStackProps } from './warehouse-stack-props';

/** How jobs and Lambdas reach the warehouse. */
export interface WarehouseConnection {
  readonly kind: WarehouseKind;
  readonly databaseName: string;
  /**
   * Admin credentials in Secrets Manager, encrypted with the pipeline key. JSON with
   * `username` and `password` (serverless: also `dbname`, `port`, `engine`); the host is
   * `endpointAddress` (the Glue job gets a JDBC URL argument).
   */
  readonly adminSecret: secretsmanager.ISecret;
  readonly endpointAddress: string;
  readonly port: number;
  /** Serverless workgroup name (kind = serverless). */
  readonly workgroupName?: string;
  /** Provisioned cluster identifier (kind = provisioned). */
  readonly clusterIdentifier?: string;
  /** ARN the Redshift Data API is called against (workgroup or cluster). */
  readonly dataApiResourceArn: string;
  /** `jdbc:redshift://<endpoint>:<port>/<database>` for the Glue load job. */
  readonly jdbcUrl: string;
}

/**
 * Redshift Serverless (or provisioned), private and encrypted, with schema and
 * reporting objects created at deploy: the warehouse in the isolated
 * warehouse subnets, its COPY/Spectrum role, and the custom resource that
 * applies sql/redshift/NNN_*.sql through the Data API.
 */
export class WarehouseStack extends PipelineStack {
  readonly connection: WarehouseConnection;
  readonly monitoringTargets: WarehouseMonitoringTargets;
  readonly warehouse: ServerlessWarehouse | ProvisionedWarehouse;
  readonly dataRole: WarehouseDataRole;
  readonly schema: WarehouseSchema;

  constructor(scope: Construct, id: string, props: WarehouseStackProps) {
    super(scope, id, props);
    const { config, dataKey, vpc, securityGroups, buckets } = props;
    const name = resourcePrefix(config);

    this.dataRole = new WarehouseDataRole(this, 'DataRole', {
      dataKey,
      processed: buckets.processed,
      glueDatabaseName: glueDatabaseName(config),
    });
    const warehouseProps = {
      config,
      dataKey,
      name,
      subnets: vpc.selectSubnets(WAREHOUSE_SUBNETS).subnets,
      securityGroup: securityGroups.redshift,
      dataRole: this.dataRole.role,
    };
    this.warehouse =
      config.warehouse.kind === 'serverless'
        ? new ServerlessWarehouse(this, 'Serverless', warehouseProps)
        : new ProvisionedWarehouse(this, 'Provisioned', warehouseProps);
    const endpoint: WarehouseEndpoint = this.warehouse;

    this.schema = new WarehouseSchema(this, 'Schema', {
      config,
      dataKey,
      vpc,
      subnets: SERVICE_SUBNETS,
      securityGroup: securityGroups.lambda,
      databaseName: config.warehouse.databaseName,
      adminSecret: endpoint.adminSecret,
      workgroupName: endpoint.workgroupName,
      clusterIdentifier: endpoint.clusterIdentifier,
      warehouseArn: endpoint.dataApiResourceArn,
      sqlDir: path.resolve(REPO_ROOT, props.sqlDir ?? path.join('sql', 'redshift')),
    });

    this.connection = {
      kind: config.warehouse.kind,
      databaseName: config.warehouse.databaseName,
      adminSecret: endpoint.adminSecret,
      endpointAddress: endpoint.endpointAddress,
      port: endpoint.port,
      workgroupName: endpoint.workgroupName,
      clusterIdentifier: endpoint.clusterIdentifier,
      dataApiResourceArn: endpoint.dataApiResourceArn,
      jdbcUrl: `jdbc:redshift://${endpoint.endpointAddress}:${endpoint.port}/${config.warehouse.databaseName}`,
    };
    this.monitoringTargets = {
      kind: config.warehouse.kind,
      workgroupName: endpoint.workgroupName,
      clusterIdentifier: endpoint.clusterIdentifier,
    };
  }
}
