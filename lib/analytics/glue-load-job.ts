import { ArnFormat, Stack, Tags } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GLUE_RUNTIME } from '../config/aws-runtimes';
import type { LoadJobWarehouse, WarehouseLoadJobProps } from './glue-load-job-props';
import { glueLogStatements } from './glue-security-configuration';
import { acknowledgeWildcardResources } from '../shared/nag-acknowledgements';
import { PROCESSED_TRANSACTIONS_PREFIX } from '../shared/pipeline-layout';
import { accountServicePrincipal } from '../shared/account-service-principal';

export type { LoadJobWarehouse, WarehouseLoadJobProps } from './glue-load-job-props';

/** Folder of the artifacts bucket the load job uses as its Glue temporary directory. */
export const GLUE_TEMP_PREFIX = 'glue-temp/load-warehouse/';
/** Job run limit: the load of one run's partitions takes minutes; an hour means something hangs. */
export const LOAD_JOB_TIMEOUT_MINUTES = 60;

/**
 * Who the job logs in as (spark-jobs/bankpipe/warehouse_credentials.py holds the same names, and
 * sql/redshift the group and role with the load's grants).
 * Provisioned: GetClusterCredentials as LOADER_DB_USER, joined to LOADER_DB_GROUP for the session.
 * Serverless: GetCredentials maps the job role to the user `IAMR:<role name>`, which Redshift
 * Serverless gives the database roles named in the role's RedshiftDbRoles tag.
 */
export const LOADER_DB_USER = 'bank_loader_job';
export const LOADER_DB_GROUP = 'bank_loader';
export const LOADER_DB_ROLE = 'bank_loader_role';
export const REDSHIFT_DB_ROLES_TAG = 'RedshiftDbRoles';

/**
 * The Glue job (Glue 5.0, Spark, Python 3) that loads processed transactions
 * into Redshift (spark-jobs/glue_load_warehouse.py). It runs in the VPC
 * through a NETWORK connection in a private subnet with the Glue security
 * group (the network stack lets that group reach the warehouse port), logs in
 * with temporary credentials of its own role that carry only the loader grants
 * (no stored password, no admin secret), and uses the security configuration
 * for its logs, bookmarks and temporary files.
 */
export class WarehouseLoadJob extends Construct {
  readonly job: glue.CfnJob;
  readonly connection: glue.CfnConnection;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
  readonly defaultArguments: Record<string, string>;

  constructor(scope: Construct, id: string, props: WarehouseLoadJobProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.connection = new glue.CfnConnection(this, 'NetworkConnection', {
      catalogId: stack.account,
      connectionInput: {
        name: props.connectionName,
        description:
          'Puts the warehouse load job in a private subnet from which the Glue security group reaches Redshift',
        connectionType: 'NETWORK',
        physicalConnectionRequirements: {
          subnetId: props.subnet.subnetId,
          availabilityZone: props.subnet.availabilityZone,
          securityGroupIdList: [props.securityGroup.securityGroupId],
        },
      },
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: accountServicePrincipal(this, 'glue.amazonaws.com'),
      description: `Glue job ${props.jobName}: read processed transactions, load the warehouse`,
    });
    const processedTransactions = props.processed.arnForObjects(`${PROCESSED_TRANSACTIONS_PREFIX}*`);
    const tempObjects = props.artifacts.arnForObjects(`${GLUE_TEMP_PREFIX}*`);
    const networkInterfaces = stack.formatArn({
      service: 'ec2',
      resource: 'network-interface',
      resourceName: '*',
    });
    const logs = glueLogStatements(this);
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Glue job ${props.jobName}`,
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadJobFiles',
          actions: ['s3:GetObject'],
          resources: props.jobFileArns,
        }),
        new iam.PolicyStatement({
          sid: 'ListProcessedTransactions',
          actions: ['s3:ListBucket'],
          resources: [props.processed.bucketArn],
          conditions: {
            StringLike: { 's3:prefix': [PROCESSED_TRANSACTIONS_PREFIX, `${PROCESSED_TRANSACTIONS_PREFIX}*`] },
          },
        }),
        new iam.PolicyStatement({
          sid: 'ReadProcessedTransactions',
          actions: ['s3:GetObject'],
          resources: [processedTransactions],
        }),
        new iam.PolicyStatement({
          sid: 'ListTempDir',
          actions: ['s3:ListBucket'],
          resources: [props.artifacts.bucketArn],
          conditions: { StringLike: { 's3:prefix': [GLUE_TEMP_PREFIX, `${GLUE_TEMP_PREFIX}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'UseTempDir',
          actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          resources: [tempObjects],
        }),
        ...loginStatements(stack, props.warehouse),
        new iam.PolicyStatement({
          sid: 'UsePipelineKey',
          // Data decryption, SSE-KMS temp files, CSE-KMS job bookmarks.
          actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: [props.dataKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'ReadOwnConnection',
          actions: ['glue:GetConnection'],
          resources: [
            stack.formatArn({ service: 'glue', resource: 'catalog' }),
            stack.formatArn({ service: 'glue', resource: 'connection', resourceName: props.connectionName }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'CreateInterfacesInConnectionSubnet',
          actions: ['ec2:CreateNetworkInterface'],
          resources: [
            networkInterfaces,
            stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: props.subnet.subnetId }),
            stack.formatArn({
              service: 'ec2',
              resource: 'security-group',
              resourceName: props.securityGroup.securityGroupId,
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'ManageGlueInterfaces',
          actions: ['ec2:DeleteNetworkInterface', 'ec2:CreateTags', 'ec2:DeleteTags'],
          resources: [networkInterfaces],
        }),
        new iam.PolicyStatement({
          sid: 'DescribeNetwork',
          actions: [
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeVpcEndpoints',
            'ec2:DescribeRouteTables',
            'ec2:DescribeVpcAttribute',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'PublishJobMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'Glue' } },
        }),
        ...logs.statements,
      ],
    });
    acknowledgeWildcardResources(this.policy, [
      {
        resource: processedTransactions,
        reason:
          'The load job reads the txn_date= Parquet partitions of the processed zone that a run touched; their file names are chosen by Spark; read-only',
      },
      {
        resource: tempObjects,
        reason:
          'Glue writes and cleans its own temporary files under glue-temp/load-warehouse/ of the artifacts bucket with names it generates',
      },
      {
        resource: networkInterfaces,
        reason:
          'Glue creates, tags and deletes the network interfaces of the job run in the connection subnet; their ids do not exist before the run',
      },
      {
        resource: logs.logGroups,
        reason:
          "Glue names the job's encrypted log groups under /aws-glue/ after the role and security configuration at run time; only log writes are allowed",
      },
      {
        resource: '*',
        reason:
          props.warehouse.kind === 'serverless'
            ? 'EC2 Describe* calls Glue makes to set up the VPC connection, and tag:GetResources/GetTagKeys that Redshift Serverless requires of a caller whose database roles come from its RedshiftDbRoles tag, have no resource-level permissions; cloudwatch:PutMetricData is limited to the Glue namespace by condition'
            : 'EC2 Describe* calls Glue makes to set up the VPC connection have no resource-level permissions; cloudwatch:PutMetricData is limited to the Glue namespace by condition',
      },
    ]);
    if (props.warehouse.kind === 'serverless') {
      // GetCredentials gives the job's database user the roles this tag names (colon-separated).
      Tags.of(this.role).add(REDSHIFT_DB_ROLES_TAG, LOADER_DB_ROLE);
    }

    this.defaultArguments = {
      '--job-language': 'python',
      '--job-bookmark-option': 'job-bookmark-enable',
      '--enable-continuous-cloudwatch-log': 'true',
      '--enable-continuous-log-filter': 'true',
      '--enable-metrics': 'true',
      '--TempDir': `s3://${props.artifacts.bucketName}/${GLUE_TEMP_PREFIX}`,
      '--extra-py-files': props.pyFilesUri,
      '--extra-jars': props.jdbcDriverUri,
      '--processed_uri': `s3://${props.processed.bucketName}`,
      '--redshift_jdbc_url': props.warehouse.jdbcUrl,
      '--redshift_kind': props.warehouse.kind,
      '--redshift_database': props.warehouse.databaseName,
      ...warehouseTargetArgument(props.warehouse),
    };

    this.job = new glue.CfnJob(this, 'Job', {
      name: props.jobName,
      description:
        'Loads processed transactions into the warehouse: staging table, then MERGE (the run refreshes the reports next)',
      role: this.role.roleArn,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: props.scriptUri },
      glueVersion: GLUE_RUNTIME.glueVersion,
      workerType: props.config.analytics.glueWorkerType,
      numberOfWorkers: props.config.analytics.glueNumberOfWorkers,
      timeout: LOAD_JOB_TIMEOUT_MINUTES,
      maxRetries: 1,
      // Two loads at once would race on the staging table.
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: props.securityConfigurationName,
      connections: { connections: [props.connectionName] },
      defaultArguments: this.defaultArguments,
    });
    this.job.node.addDependency(this.connection, this.policy);
  }
}

function requireValue(value: string | undefined, what: string, kind: string): string {
  if (value === undefined || value === '') {
    throw new Error(`WarehouseLoadJob: a ${kind} warehouse needs its ${what}; pass it in props.warehouse`);
  }
  return value;
}

/** The job argument naming the workgroup or the cluster the credentials are for. */
function warehouseTargetArgument(warehouse: LoadJobWarehouse): Record<string, string> {
  return warehouse.kind === 'serverless'
    ? { '--redshift_workgroup': requireValue(warehouse.workgroupName, 'workgroupName', warehouse.kind) }
    : {
        '--redshift_cluster_id': requireValue(
          warehouse.clusterIdentifier,
          'clusterIdentifier',
          warehouse.kind,
        ),
      };
}

/**
 * Permission to get temporary database credentials for the job's own identity, on this warehouse
 * only (Amazon Redshift Management Guide: GetCredentials; GetClusterCredentials resource policies).
 */
function loginStatements(stack: Stack, warehouse: LoadJobWarehouse): iam.PolicyStatement[] {
  if (warehouse.kind === 'serverless') {
    return [
      new iam.PolicyStatement({
        sid: 'GetWarehouseCredentials',
        actions: ['redshift-serverless:GetCredentials'],
        resources: [requireValue(warehouse.workgroupArn, 'workgroupArn', warehouse.kind)],
      }),
      new iam.PolicyStatement({
        // Required of a caller whose database roles come from its RedshiftDbRoles tag.
        sid: 'ReadOwnDatabaseRolesTag',
        actions: ['tag:GetResources', 'tag:GetTagKeys'],
        resources: ['*'],
      }),
    ];
  }
  const cluster = requireValue(warehouse.clusterIdentifier, 'clusterIdentifier', warehouse.kind);
  const redshiftArn = (resource: string, name: string): string =>
    stack.formatArn({
      service: 'redshift',
      resource,
      resourceName: `${cluster}/${name}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  const dbUser = redshiftArn('dbuser', LOADER_DB_USER);
  return [
    new iam.PolicyStatement({
      sid: 'GetWarehouseCredentials',
      actions: ['redshift:GetClusterCredentials'],
      resources: [dbUser, redshiftArn('dbname', warehouse.databaseName)],
    }),
    new iam.PolicyStatement({
      // AutoCreate: the first load creates its database user.
      sid: 'CreateLoaderDbUser',
      actions: ['redshift:CreateClusterUser'],
      resources: [dbUser],
    }),
    new iam.PolicyStatement({
      sid: 'JoinLoaderDbGroup',
      actions: ['redshift:JoinGroup'],
      resources: [redshiftArn('dbgroup', LOADER_DB_GROUP)],
    }),
  ];
}
