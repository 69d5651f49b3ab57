import * as path from 'node:path';
import { CustomResource, Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { LAMBDA_NODEJS_ESBUILD_TARGET, LAMBDA_NODEJS_RUNTIME } from '../config/aws-runtimes';
import { skipCheckov } from '../shared/checkov';
import { DeployTimeLambdaRole, encryptedLogGroup } from '../shared/emr-glue-redshift-lambda';
import { RESERVED_CONCURRENCY_REASON } from '../processing/emr-spark-job-assets';
import { REPO_ROOT } from '../processing/emr-spark-job-bundle';
import { readWarehouseSqlFiles, sqlFilesHash, type WarehouseSqlFile } from './redshift-sql-files';

/**
 * Runtime of the schema Lambda: the Node.js runtime declared in
 * lib/config/aws-runtimes.json, the same as the orchestration's PipelineFunction.
 */
export const SCHEMA_LAMBDA_RUNTIME = LAMBDA_NODEJS_RUNTIME;

export interface WarehouseSchemaProps {
  readonly config: StageConfig;
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** Database the files run in. */
  readonly databaseName: string;
  /** Admin credentials the Data API authenticates with. */
  readonly adminSecret: secretsmanager.ISecret;
  /** Serverless workgroup name, or... */
  readonly workgroupName?: string;
  /** ...provisioned cluster identifier (exactly one of the two). */
  readonly clusterIdentifier?: string;
  /** ARN of the workgroup or cluster (the Data API authorizes statements on it). */
  readonly warehouseArn: string;
  /** Folder of the NNN_*.sql files. */
  readonly sqlDir: string;
}

/**
 * Creates the warehouse schema, tables and reporting views at deploy time by
 * running sql/redshift/NNN_*.sql in order through the Redshift Data API
 * (lambda/warehouse-schema, behind the CDK Provider framework).
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
    if ((props.workgroupName === undefined) === (props.clusterIdentifier === undefined)) {
      throw new Error('WarehouseSchema needs exactly one of workgroupName or clusterIdentifier');
    }
    this.sqlFiles = readWarehouseSqlFiles(props.sqlDir);
    this.sqlHash = sqlFilesHash(this.sqlFiles);
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;

    const handlerLogs = encryptedLogGroup(this, 'HandlerLogs', {
      config: props.config,
      dataKey: props.dataKey,
    });
    const handlerRole = new DeployTimeLambdaRole(this, 'HandlerRole', {
      purpose: 'warehouse schema (sql/redshift through the Data API)',
      logGroup: handlerLogs,
      subnets,
      securityGroup: props.securityGroup,
      statements: [
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
        new iam.PolicyStatement({
          sid: 'AuthenticateWithAdminSecret',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [props.adminSecret.secretArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptAdminSecret',
          actions: ['kms:Decrypt'],
          resources: [props.dataKey.keyArn],
        }),
      ],
    });
    handlerRole.acknowledgeResourceWildcard(
      'redshift-data:DescribeStatement has no resource-level permissions; the statement-owner-iam-userid condition limits the schema handler to the statements it submitted itself',
    );

    this.function = new nodejs.NodejsFunction(this, 'Handler', {
      entry: path.join(REPO_ROOT, 'lambda', 'warehouse-schema', 'handler.ts'),
      handler: 'handler',
      description: 'Applies sql/redshift/NNN_*.sql to the warehouse at deploy time (Data API)',
      runtime: SCHEMA_LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Leaves the Provider framework (15 min) time to report a timeout as a failed deployment.
      timeout: Duration.minutes(14),
      role: handlerRole.role,
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
    handlerRole.mustExistBefore(this.function);
    skipCheckov(this.function, 'CKV_AWS_115', RESERVED_CONCURRENCY_REASON);
    skipCheckov(
      this.function,
      'CKV_AWS_116',
      'The Provider framework invokes the warehouse-schema handler synchronously and reports its failure to CloudFormation; a DLQ would never receive an event',
    );

    const provider = this.createProvider(props, subnets);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::WarehouseSchema',
      properties: {
        Target: {
          Database: props.databaseName,
          SecretArn: props.adminSecret.secretArn,
          WorkgroupName: props.workgroupName,
          ClusterIdentifier: props.clusterIdentifier,
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
      purpose: 'warehouse schema provider framework',
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
        'CloudFormation invokes the warehouse-schema provider framework and waits for its answer; a failure fails the deployment, so a DLQ would stay empty',
      );
      skipCheckov(frameworkFunction, 'CKV_AWS_115', RESERVED_CONCURRENCY_REASON);
    }
    return provider;
  }
}
