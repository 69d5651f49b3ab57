import * as redshiftserverless from 'aws-cdk-lib/aws-redshiftserverless';
import { Construct } from 'constructs';
import { dataRemovalPolicy } from '../shared/data-removal-policy';
import { ServerlessAdminSecretLookup } from './redshift-admin-secret-lookup';
import type { RedshiftWarehouseProps } from './redshift-warehouse-props';
import { REDSHIFT_AUDIT_LOGS, RedshiftAuditLogGroups } from './redshift-audit-logs';
import { REDSHIFT_ADMIN_USER, REDSHIFT_PORT, type WarehouseEndpoint } from './redshift-warehouse-endpoint';

/**
 * Redshift Serverless: a namespace (data, encrypted with the pipeline key,
 * audit logs exported) and a workgroup (compute: private, enhanced VPC
 * routing, TLS required, in the isolated warehouse subnets).
 *
 * Redshift manages the admin password (ManageAdminPassword): it creates the
 * secret in Secrets Manager, encrypted with the pipeline key, and rotates it;
 * the password never passes through the app or the template. The jobs log in
 * with temporary credentials of their own IAM roles; only the deploy-time
 * schema custom resource signs in as the admin, with that secret, whose ARN
 * `adminSecretArn` reads at deploy time (CloudFormation does not return it).
 *
 * Redshift Serverless needs subnets in at least three Availability Zones:
 * the stage must run the VPC over three AZs (network.maxAzs = 3) to deploy it.
 */
export class ServerlessWarehouse extends Construct implements WarehouseEndpoint {
  readonly namespace: redshiftserverless.CfnNamespace;
  readonly workgroup: redshiftserverless.CfnWorkgroup;
  /** ARN of the Redshift-managed admin secret (deploy-time value). */
  readonly adminSecretArn: string;
  readonly auditLogs: RedshiftAuditLogGroups;
  readonly endpointAddress: string;
  readonly port = REDSHIFT_PORT;
  readonly dataApiResourceArn: string;
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: RedshiftWarehouseProps) {
    super(scope, id);
    const { config, dataKey } = props;
    const removalPolicy = dataRemovalPolicy(config);

    this.auditLogs = new RedshiftAuditLogGroups(this, 'AuditLogs', {
      config,
      dataKey,
      logGroupPrefix: `/aws/redshift/${props.name}`,
    });

    this.namespace = new redshiftserverless.CfnNamespace(this, 'Namespace', {
      namespaceName: props.name,
      dbName: config.warehouse.databaseName,
      adminUsername: REDSHIFT_ADMIN_USER,
      // Redshift creates, encrypts (pipeline key) and rotates the admin secret. The UpdateNamespace
      // API takes manageAdminPassword, so an existing namespace switches over in place.
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: dataKey.keyArn,
      kmsKeyId: dataKey.keyArn,
      iamRoles: [props.dataRole.roleArn],
      defaultIamRoleArn: props.dataRole.roleArn,
      logExports: [...REDSHIFT_AUDIT_LOGS],
    });
    this.namespace.applyRemovalPolicy(removalPolicy);
    for (const logGroup of this.auditLogs.logGroups) this.namespace.node.addDependency(logGroup);

    this.workgroup = new redshiftserverless.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: props.name,
      namespaceName: props.name,
      baseCapacity: config.warehouse.baseCapacityRpu,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      subnetIds: props.subnets.map((s) => s.subnetId),
      securityGroupIds: [props.securityGroup.securityGroupId],
      port: REDSHIFT_PORT,
      configParameters: [
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });
    // The workgroup is compute only (no data): it is always deleted with the stack, the namespace is kept.
    this.workgroup.node.addDependency(this.namespace);

    this.adminSecretArn = new ServerlessAdminSecretLookup(this, 'AdminSecret', {
      config,
      dataKey,
      namespace: this.namespace,
    }).secretArn;
    this.workgroupName = props.name;
    this.endpointAddress = this.workgroup.attrWorkgroupEndpointAddress;
    this.dataApiResourceArn = this.workgroup.attrWorkgroupWorkgroupArn;
  }
}
