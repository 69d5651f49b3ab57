import * as path from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { WarehouseKind } from '../config';
import { SERVICE_SUBNETS, WAREHOUSE_SUBNETS } from '../shared/emr-glue-redshift-lambda';
import { REPO_ROOT } from '../processing/emr-spark-job-bundle';
import { glueDatabaseName, resourcePrefix } from '../analytics/glue-names';
import { ProvisionedWarehouse } from './redshift-provisioned-warehouse';
import { type SchemaLogin, WarehouseSchema } from './redshift-schema';
import { databaseUsersFile, readWarehouseSqlFiles, splitSchemaAndReportFiles } from './redshift-sql-files';
import { REDSHIFT_ADMIN_USER } from './redshift-warehouse-endpoint';
import { dataApiLoginStatements, REPORTS_DB_USER } from './warehouse-identities';
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
  /** The warehouse host (the Glue job gets a JDBC URL argument). No job gets a password: see the ADR 0002. */
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

    const sqlFiles = readWarehouseSqlFiles(
      path.resolve(REPO_ROOT, props.sqlDir ?? path.join('sql', 'redshift')),
    );
    const { schema: schemaFiles } = splitSchemaAndReportFiles(sqlFiles);
    this.schema = new WarehouseSchema(this, 'Schema', {
      config,
      dataKey,
      vpc,
      subnets: SERVICE_SUBNETS,
      securityGroup: securityGroups.lambda,
      purpose: 'warehouse schema (sql/redshift through the Data API)',
      warehouseArn: endpoint.dataApiResourceArn,
      ...this.schemaLogin(endpoint, config.warehouse.databaseName, dataKey.keyArn),
      // Provisioned: the reports identity signs in with GetClusterCredentials, which needs its user to exist.
      sqlFiles:
        endpoint.clusterIdentifier === undefined
          ? schemaFiles
          : [databaseUsersFile([REPORTS_DB_USER]), ...schemaFiles],
    });

    this.connection = {
      kind: config.warehouse.kind,
      databaseName: config.warehouse.databaseName,
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

  /**
   * The schema custom resource signs in as the admin: the schema files create the schema, groups
   * and roles and grant on every object, which takes a superuser. Provisioned: temporary
   * credentials for the admin user (GetClusterCredentials), no password. Serverless: Redshift
   * Serverless signs an IAM identity in as `IAMR:<role>` with only the roles its RedshiftDbRoles
   * tag names, and a system role such as sys:superuser reaches it only through a role an admin
   * created first; so the custom resource uses the Redshift-managed (and rotated) admin secret.
   */
  private schemaLogin(
    endpoint: WarehouseEndpoint,
    databaseName: string,
    dataKeyArn: string,
  ): { login: SchemaLogin; loginStatements: iam.PolicyStatement[]; loginWildcardReason?: string } {
    if (endpoint.clusterIdentifier !== undefined) {
      return {
        login: { databaseName, clusterIdentifier: endpoint.clusterIdentifier, dbUser: REDSHIFT_ADMIN_USER },
        loginStatements: dataApiLoginStatements(
          this,
          {
            kind: 'provisioned',
            databaseName,
            dataApiResourceArn: endpoint.dataApiResourceArn,
            clusterIdentifier: endpoint.clusterIdentifier,
          },
          { dbUser: REDSHIFT_ADMIN_USER },
        ),
      };
    }
    if (endpoint.adminSecretArn === undefined || endpoint.workgroupName === undefined) {
      throw new Error(
        'WarehouseStack: a serverless warehouse must give its workgroup name and admin secret ARN',
      );
    }
    return {
      login: { databaseName, workgroupName: endpoint.workgroupName, secretArn: endpoint.adminSecretArn },
      loginStatements: [
        new iam.PolicyStatement({
          sid: 'ReadAdminSecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [endpoint.adminSecretArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptAdminSecret',
          actions: ['kms:Decrypt'],
          resources: [dataKeyArn],
        }),
      ],
    };
  }
}
