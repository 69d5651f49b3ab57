import * as path from 'node:path';
import { CustomResource, Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { LAMBDA_NODEJS_ESBUILD_TARGET, LAMBDA_NODEJS_RUNTIME } from '../config/aws-runtimes';
import { skipCheckov } from '../shared/checkov';
import { DeployTimeLambdaRole } from '../shared/emr-glue-redshift-lambda';
import { encryptedLogGroup } from '../shared/encrypted-log-group';
import { RESERVED_CONCURRENCY_REASON } from '../processing/emr-spark-job-assets';
import { REPO_ROOT } from '../processing/emr-spark-job-bundle';
import { sqlFilesHash, type WarehouseSqlFile } from './redshift-sql-files';
import type { WarehouseSchemaProps } from './redshift-schema-props';

export type { SchemaLogin, WarehouseSchemaProps } from './redshift-schema-props';

/**
 * Runtime of the schema Lambda: the Node.js runtime declared in
 * lib/config/aws-runtimes.json, the same as the orchestration's PipelineFunction.
 */
export const SCHEMA_LAMBDA_RUNTIME = LAMBDA_NODEJS_RUNTIME;

/**
 * Runs warehouse SQL files at deploy time, in order, through the Redshift Data
 * API (lambda/warehouse-schema, behind the CDK Provider framework), signed in
 * as `props.login`. The warehouse stack applies the schema files as the admin;
 * the orchestration stack applies the report files as the reports identity,
 * which must own the views it refreshes (docs/adr/0002-warehouse-identities.md).
 *
 * The statements travel as a property of the custom resource, read and split
 * at synth time with the same conventions as the local twin's runner, with a
 * hash of them: any SQL change is an Update, which re-applies the
 * (idempotent) files. Delete leaves the schema alone.
 */
export class WarehouseSchema extends Construct {
  readonly resource: CustomResource;
  readonly function: nodejs.NodejsFunction;
  readonly sqlFiles: WarehouseSqlFile[];
  readonly sqlHash: string;

  constructor(scope: Construct, id: string, props: WarehouseSchemaProps) {
    super(scope, id);
    const { login } = props;
    if ((login.workgroupName === undefined) === (login.clusterIdentifier === undefined)) {
      throw new Error('WarehouseSchema needs exactly one of login.workgroupName or login.clusterIdentifier');
    }
    if (
      login.clusterIdentifier !== undefined &&
      login.dbUser === undefined &&
      login.secretArn === undefined
    ) {
      throw new Error(
        'WarehouseSchema on a provisioned cluster needs login.dbUser (temporary credentials) or login.secretArn',
      );
    }
    if (props.sqlFiles.length === 0) {
      throw new Error(`WarehouseSchema ${id}: no SQL files to apply; pass at least one NNN_name.sql file`);
    }
    this.sqlFiles = props.sqlFiles;
    this.sqlHash = sqlFilesHash(this.sqlFiles);
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;

    const handlerLogs = encryptedLogGroup(this, 'HandlerLogs', {
      config: props.config,
      dataKey: props.dataKey,
    });
    const statements = [
      new iam.PolicyStatement({
        sid: 'RunStatementsOnTheWarehouse',
        actions: ['redshift-data:BatchExecuteStatement'],
        resources: [props.warehouseArn],
      }),
      new iam.PolicyStatement({
        sid: 'ReadOwnStatementsStatus',
        actions: ['redshift-data:DescribeStatement'],
        // No resource-level permission exists; the condition keeps it to statements this role ran.
        resources: ['*'],
        conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      }),
      ...props.loginStatements,
    ];
    const describeReason = `redshift-data:DescribeStatement has no resource-level permissions; the statement-owner-iam-userid condition limits the ${props.purpose} handler to the statements it submitted itself`;
    let handlerRole: iam.IRole;
    let mustExistBefore: (fn: IConstruct) => void;
    if (props.role === undefined) {
      const ownRole = new DeployTimeLambdaRole(this, 'HandlerRole', {
        purpose: props.purpose,
        logGroup: handlerLogs,
        subnets,
        securityGroup: props.securityGroup,
        statements,
      });
      ownRole.acknowledgeResourceWildcard(
        props.loginWildcardReason === undefined
          ? describeReason
          : `${describeReason}; ${props.loginWildcardReason}`,
      );
      handlerRole = ownRole.role;
      mustExistBefore = (fn) => ownRole.mustExistBefore(fn);
    } else {
      // The role of the job whose database identity this handler signs in as (it already reaches
      // the VPC subnets): the same IAM role is the same database user.
      const sharedRole = props.role;
      for (const statement of statements) sharedRole.addToPrincipalPolicy(statement);
      handlerLogs.grantWrite(sharedRole);
      handlerRole = sharedRole;
      mustExistBefore = (fn) => fn.node.addDependency(sharedRole.permissionsPolicy);
    }

    this.function = new nodejs.NodejsFunction(this, 'Handler', {
      entry: path.join(REPO_ROOT, 'lambda', 'warehouse-schema', 'handler.ts'),
      handler: 'handler',
      description: `Applies ${props.purpose} to the warehouse at deploy time (Data API)`.slice(0, 256),
      runtime: SCHEMA_LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Leaves the Provider framework (15 min) time to report a timeout as a failed deployment.
      timeout: Duration.minutes(14),
      role: handlerRole,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      logGroup: handlerLogs,
      loggingFormat: lambda.LoggingFormat.JSON,
      environmentEncryption: props.dataKey,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: LAMBDA_NODEJS_ESBUILD_TARGET,
        format: nodejs.OutputFormat.CJS,
        // The Node.js runtime ships the AWS SDK v3 clients.
        externalModules: ['@aws-sdk/*'],
      },
    });
    mustExistBefore(this.function);
    skipCheckov(this.function, 'CKV_AWS_115', RESERVED_CONCURRENCY_REASON);
    skipCheckov(
      this.function,
      'CKV_AWS_116',
      `The Provider framework invokes the ${props.purpose} handler synchronously and reports its failure to CloudFormation; a DLQ would never receive an event`,
    );

    const provider = this.createProvider(props, subnets);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: props.resourceType ?? 'Custom::WarehouseSchema',
      properties: {
        Target: {
          Database: login.databaseName,
          WorkgroupName: login.workgroupName,
          ClusterIdentifier: login.clusterIdentifier,
          DbUser: login.dbUser,
          SecretArn: login.secretArn,
        },
        SqlFiles: this.sqlFiles.map((f) => ({ Name: f.name, Statements: f.statements })),
        SqlHash: this.sqlHash,
      },
    });
  }

  /** The Provider framework's Lambda, in the VPC, with a role that may only invoke the handler. */
  private createProvider(props: WarehouseSchemaProps, subnets: ec2.ISubnet[]): cr.Provider {
    const frameworkLogs = encryptedLogGroup(this, 'ProviderLogs', {
      config: props.config,
      dataKey: props.dataKey,
    });
    const frameworkRole = new DeployTimeLambdaRole(this, 'ProviderRole', {
      purpose: `${props.purpose}: provider framework`,
      logGroup: frameworkLogs,
      subnets,
      securityGroup: props.securityGroup,
      statements: [
        new iam.PolicyStatement({
          sid: 'InvokeTheSchemaHandler',
          actions: ['lambda:InvokeFunction', 'lambda:GetFunction'],
          resources: [this.function.functionArn],
        }),
      ],
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      frameworkOnEventRole: frameworkRole.role,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      logGroup: frameworkLogs,
      providerFunctionEnvEncryption: props.dataKey,
    });
    const frameworkFunction = provider.node
      .findAll()
      .find((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
    if (frameworkFunction !== undefined) {
      frameworkRole.mustExistBefore(frameworkFunction);
      skipCheckov(
        frameworkFunction,
        'CKV_AWS_116',
        `CloudFormation invokes the ${props.purpose} provider framework and waits for its answer; a failure fails the deployment, so a DLQ would stay empty`,
      );
      skipCheckov(frameworkFunction, 'CKV_AWS_115', RESERVED_CONCURRENCY_REASON);
    }
    return provider;
  }
}
