import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from '../shared/data-removal-policy';
import type { RedshiftWarehouseProps } from './redshift-warehouse-props';
import { REDSHIFT_AUDIT_LOGS, RedshiftAuditLogGroups } from './redshift-audit-logs';
import { REDSHIFT_ADMIN_USER, REDSHIFT_PORT, type WarehouseEndpoint } from './redshift-warehouse-endpoint';

/** Automated snapshot retention (days): a week of point-in-time restore. */
export const SNAPSHOT_RETENTION_DAYS = 7;

/**
 * A provisioned Redshift cluster (config `warehouse.kind = 'provisioned'`):
 * encrypted with the pipeline key, not public, enhanced VPC routing, in a
 * subnet group of the isolated warehouse subnets, TLS required and user
 * activity logging on (parameter group), audit logs to KMS-encrypted
 * CloudWatch log groups, automated snapshots, a weekly maintenance window
 * with version upgrades. Redshift manages and rotates the master password in
 * Secrets Manager, encrypted with the pipeline key (ManageMasterPassword); no
 * job reads that secret: each signs in with temporary credentials of its own
 * database user (GetClusterCredentials), the schema custom resource as the
 * master user.
 */
export class ProvisionedWarehouse extends Construct implements WarehouseEndpoint {
  readonly cluster: redshift.CfnCluster;
  readonly parameterGroup: redshift.CfnClusterParameterGroup;
  readonly subnetGroup: redshift.CfnClusterSubnetGroup;
  readonly auditLogs: RedshiftAuditLogGroups;
  readonly endpointAddress: string;
  readonly port = REDSHIFT_PORT;
  readonly dataApiResourceArn: string;
  readonly clusterIdentifier: string;

  constructor(scope: Construct, id: string, props: RedshiftWarehouseProps) {
    super(scope, id);
    const { config, dataKey } = props;
    const removalPolicy = dataRemovalPolicy(config);

    this.subnetGroup = new redshift.CfnClusterSubnetGroup(this, 'SubnetGroup', {
      description: `Isolated warehouse subnets of ${props.name}`,
      subnetIds: props.subnets.map((s) => s.subnetId),
    });
    this.parameterGroup = new redshift.CfnClusterParameterGroup(this, 'ParameterGroup', {
      description: `TLS-only connections and user activity logging for ${props.name}`,
      parameterGroupFamily: 'redshift-1.0',
      parameters: [
        { parameterName: 'require_ssl', parameterValue: 'true' },
        { parameterName: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });
    this.auditLogs = new RedshiftAuditLogGroups(this, 'AuditLogs', {
      config,
      dataKey,
      logGroupPrefix: `/aws/redshift/cluster/${props.name}`,
    });

    const multiNode = config.warehouse.numberOfNodes > 1;
    this.cluster = new redshift.CfnCluster(this, 'Cluster', {
      clusterIdentifier: props.name,
      clusterType: multiNode ? 'multi-node' : 'single-node',
      numberOfNodes: multiNode ? config.warehouse.numberOfNodes : undefined,
      nodeType: config.warehouse.nodeType,
      dbName: config.warehouse.databaseName,
      masterUsername: REDSHIFT_ADMIN_USER,
      manageMasterPassword: true,
      masterPasswordSecretKmsKeyId: dataKey.keyArn,
      encrypted: true,
      kmsKeyId: dataKey.keyArn,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      port: REDSHIFT_PORT,
      clusterSubnetGroupName: this.subnetGroup.ref,
      vpcSecurityGroupIds: [props.securityGroup.securityGroupId],
      clusterParameterGroupName: this.parameterGroup.ref,
      iamRoles: [props.dataRole.roleArn],
      automatedSnapshotRetentionPeriod: SNAPSHOT_RETENTION_DAYS,
      allowVersionUpgrade: true,
      preferredMaintenanceWindow: 'sun:03:00-sun:03:30',
      loggingProperties: { logDestinationType: 'cloudwatch', logExports: [...REDSHIFT_AUDIT_LOGS] },
    });
    this.cluster.applyRemovalPolicy(removalPolicy);
    for (const logGroup of this.auditLogs.logGroups) this.cluster.node.addDependency(logGroup);
    if (REDSHIFT_PORT === 5439) {
      Validations.of(this.cluster).acknowledge({
        id: 'AwsSolutions-RS4',
        reason:
          'The warehouse port is the one the network stack opens (PORTS.redshift, from the Glue and Lambda security groups only) and the serverless default shares; the cluster is in isolated subnets with no public endpoint',
      });
    }

    this.clusterIdentifier = this.cluster.ref;
    this.endpointAddress = this.cluster.attrEndpointAddress;
    this.dataApiResourceArn = Stack.of(this).formatArn({
      service: 'redshift',
      resource: 'cluster',
      resourceName: this.cluster.ref,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }
}
