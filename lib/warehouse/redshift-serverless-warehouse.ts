import { Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as redshiftserverless from 'aws-cdk-lib/aws-redshiftserverless';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { retainUnlessDestroyAllowed } from '../shared/emr-glue-redshift-lambda';
import { REDSHIFT_AUDIT_LOGS, RedshiftAuditLogGroups } from './redshift-audit-logs';
import { REDSHIFT_ADMIN_USER, REDSHIFT_PORT, type WarehouseEndpoint } from './redshift-warehouse-endpoint';

export interface ServerlessWarehouseProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  /** Namespace and workgroup name (`<stage>-bank-pipeline`). */
  readonly name: string;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  /** COPY/Spectrum role, also the namespace's default role. */
  readonly dataRole: iam.IRole;
}

/** Characters Redshift refuses in passwords (plus space): ' " \ / @. */
export const REDSHIFT_PASSWORD_EXCLUDED = `'"\\/@ `;

/**
 * Redshift Serverless: a namespace (data, encrypted with the pipeline key,
 * audit logs exported) and a workgroup (compute: private, enhanced VPC
 * routing, TLS required, in the isolated warehouse subnets).
 *
 * The admin password is a Secrets Manager secret generated here, encrypted
 * with the pipeline key, and handed to Redshift as a dynamic reference: it
 * never appears in the template. Redshift can manage the secret itself
 * (ManageAdminPassword), but CloudFormation does not return that secret's
 * ARN for serverless namespaces (cloudformation-coverage-roadmap #2021), and
 * the Glue job, the Lambdas and the schema custom resource all need it.
 *
 * Redshift Serverless needs subnets in at least three Availability Zones:
 * the stage must run the VPC over three AZs (network.maxAzs = 3) to deploy it.
 */
export class ServerlessWarehouse extends Construct implements WarehouseEndpoint {
  readonly namespace: redshiftserverless.CfnNamespace;
  readonly workgroup: redshiftserverless.CfnWorkgroup;
  readonly adminSecret: secretsmanager.Secret;
  readonly auditLogs: RedshiftAuditLogGroups;
  readonly endpointAddress: string;
  readonly port = REDSHIFT_PORT;
  readonly dataApiResourceArn: string;
  readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: ServerlessWarehouseProps) {
    super(scope, id);
    const { config, dataKey } = props;
    const removalPolicy = retainUnlessDestroyAllowed(config);

    this.adminSecret = new secretsmanager.Secret(this, 'AdminSecret', {
      description: `Admin credentials of the ${props.name} Redshift Serverless namespace`,
      encryptionKey: dataKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          username: REDSHIFT_ADMIN_USER,
          dbname: config.warehouse.databaseName,
          port: REDSHIFT_PORT,
          engine: 'redshift',
        }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: REDSHIFT_PASSWORD_EXCLUDED,
        requireEachIncludedType: true,
      },
      removalPolicy,
    });
    Validations.of(this.adminSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Secrets Manager has no rotation function for Redshift Serverless admin users, and Redshift-managed rotation (ManageAdminPassword) is unusable because CloudFormation does not return that secret ARN; rotate by updating this secret and redeploying',
    });

    this.auditLogs = new RedshiftAuditLogGroups(this, 'AuditLogs', {
      config,
      dataKey,
      logGroupPrefix: `/aws/redshift/${props.name}`,
    });

    this.namespace = new redshiftserverless.CfnNamespace(this, 'Namespace', {
      namespaceName: props.name,
      dbName: config.warehouse.databaseName,
      adminUsername: REDSHIFT_ADMIN_USER,
      adminUserPassword: this.adminSecret.secretValueFromJson('password').unsafeUnwrap(),
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

    this.workgroupName = props.name;
    this.endpointAddress = this.workgroup.attrWorkgroupEndpointAddress;
    this.dataApiResourceArn = this.workgroup.attrWorkgroupWorkgroupArn;
  }
}
