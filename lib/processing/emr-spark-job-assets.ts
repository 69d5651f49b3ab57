import * as path from 'node:path';
import {
  BundlingOutput,
  DockerImage,
  Stack,
  Validations,
  type BundlingOptions,
  type ILocalBundling,
} from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { skipCheckov } from '../shared/checkov';
import { DeployTimeLambdaRole } from '../shared/emr-glue-redshift-lambda';
import { encryptedLogGroup } from '../shared/encrypted-log-group';
import {
  BANKPIPE_ZIP,
  bundleFingerprint,
  writeBundle,
  type SparkJobBundleSpec,
} from './emr-spark-job-bundle';
import { acknowledgeWildcardResources } from '../shared/nag-acknowledgements';

export interface SparkJobAssetsProps {
  readonly config: StageConfig;
  /** What goes into the bundle. */
  readonly bundle: SparkJobBundleSpec;
  /** The artifacts bucket. */
  readonly bucket: s3.IBucket;
  /** Key prefix the bundle is deployed under, ending with `/` (e.g. `spark-jobs/atm/`). */
  readonly keyPrefix: string;
  /** The pipeline key (artifacts bucket encryption, log group). */
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * Ships job files (scripts, the `bankpipe` package zip, jars) to the
 * artifacts bucket under one prefix, as one asset built at synth time.
 *
 * Why the artifacts bucket (a BucketDeployment) and not the CDK bootstrap
 * bucket the asset lands in first: the jobs then only read from the
 * pipeline's own KMS-encrypted, access-logged, retained bucket, with URIs
 * that do not change on every edit (`s3://<artifacts>/spark-jobs/atm/atm_job.py`),
 * and the EMR/Glue roles need no access to the bootstrap bucket, which holds
 * every app's Lambda code. The price is the BucketDeployment Lambda; it runs in
 * the VPC with a role written here (no AWS-managed or inline policy).
 *
 * The bundle is built by local bundling (no Docker): job files copied, the
 * package zipped by its own packager (`python -m bankpipe.package`, fixed
 * timestamps). Its asset hash is a hash of the inputs, so nothing is
 * re-uploaded unless a source file changed.
 */
export class SparkJobAssets extends Construct {
  readonly bucket: s3.IBucket;
  readonly keyPrefix: string;
  readonly deployment: s3deploy.BucketDeployment;
  /** Names of the files in the bundle (e.g. `atm_job.py`, `bankpipe.zip`). */
  readonly fileNames: readonly string[];

  constructor(scope: Construct, id: string, props: SparkJobAssetsProps) {
    super(scope, id);
    if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*\/$/.test(props.keyPrefix)) {
      throw new Error(
        `SparkJobAssets keyPrefix '${props.keyPrefix}' must be lower-case path segments ending with '/'`,
      );
    }
    this.bucket = props.bucket;
    this.keyPrefix = props.keyPrefix;
    this.fileNames = plannedFileNames(props.bundle);

    const asset = new s3assets.Asset(this, 'Bundle', {
      // The folder is only the bundling working directory: the hash covers exactly the inputs.
      path: bundlingWorkingDir(props.bundle),
      assetHash: bundleFingerprint(props.bundle),
      bundling: localOnlyBundling(props.bundle),
    });

    const logGroup = encryptedLogGroup(this, 'DeploymentLogs', {
      config: props.config,
      dataKey: props.dataKey,
    });
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    const objectsUnderPrefix = props.bucket.arnForObjects(`${props.keyPrefix}*`);
    const handlerRole = new DeployTimeLambdaRole(this, 'Handler', {
      purpose: `copy the job bundle to ${props.keyPrefix}`,
      logGroup,
      subnets,
      securityGroup: props.securityGroup,
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadTheBundleAsset',
          actions: ['s3:GetObject'],
          resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
        }),
        new iam.PolicyStatement({
          sid: 'ListTheJobPrefix',
          actions: ['s3:ListBucket'],
          resources: [props.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [props.keyPrefix, `${props.keyPrefix}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'SyncTheJobPrefix',
          actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
          resources: [objectsUnderPrefix],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptWithPipelineKey',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [props.dataKey.keyArn],
        }),
      ],
    });
    acknowledgeWildcardResources(handlerRole.policy, [
      {
        resource: objectsUnderPrefix,
        reason: `aws s3 sync --delete replaces the files under ${props.keyPrefix} (their names come from the bundle), and nothing else in the artifacts bucket`,
      },
    ]);

    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [s3deploy.Source.bucket(asset.bucket, asset.s3ObjectKey)],
      destinationBucket: props.bucket,
      destinationKeyPrefix: props.keyPrefix,
      prune: true,
      retainOnDelete: !props.config.allowDestroy,
      serverSideEncryption: s3deploy.ServerSideEncryption.AWS_KMS,
      serverSideEncryptionAwsKmsKeyId: props.dataKey.keyArn,
      role: handlerRole.role,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      logGroup,
      memoryLimit: 256,
    });
    this.handleSingletonFunctionFindings(handlerRole, props.dataKey);
  }

  /** `s3://bucket/prefix/name` of a file of the bundle. */
  s3Uri(fileName: string): string {
    this.requireFile(fileName);
    return `s3://${this.bucket.bucketName}/${this.keyPrefix}${fileName}`;
  }

  /** ARN of a file of the bundle, for IAM policies. */
  objectArn(fileName: string): string {
    this.requireFile(fileName);
    return this.bucket.arnForObjects(`${this.keyPrefix}${fileName}`);
  }

  private requireFile(fileName: string): void {
    if (!this.fileNames.includes(fileName)) {
      throw new Error(
        `${fileName} is not in the job bundle ${this.keyPrefix} (it has ${this.fileNames.join(', ')})`,
      );
    }
  }

  /**
   * The BucketDeployment Lambda is a stack singleton whose runtime CDK fixes
   * (Python 3.13); it is found here to give it the ordering, hardening,
   * acknowledgement and checkov note that belong to it.
   */
  private handleSingletonFunctionFindings(handlerRole: DeployTimeLambdaRole, dataKey: kms.IKey): void {
    const stack = Stack.of(this);
    const singletons = stack.node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    for (const singleton of singletons) {
      const cfnFunction = singleton.node
        .findAll()
        .find((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
      if (cfnFunction === undefined) continue;
      handlerRole.mustExistBefore(cfnFunction);
      if (cfnFunction.node.metadata.some((m) => m.type === 'aws:cdk:acknowledged-rules')) continue;
      Validations.of(cfnFunction).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          'The BucketDeployment handler that copies the Spark job bundle is CDK-provided with a fixed Python runtime (aws-s3-deployment sets it, no prop overrides it); it runs only during deployments',
      });
      // Its environment (CDK's settings for the CLI layer) is encrypted with the pipeline key like every other.
      cfnFunction.kmsKeyArn = dataKey.keyArn;
      skipCheckov(cfnFunction, 'CKV_AWS_115', RESERVED_CONCURRENCY_REASON);
      skipCheckov(
        cfnFunction,
        'CKV_AWS_116',
        'CloudFormation invokes the job-bundle BucketDeployment handler and waits for its response; a failed copy fails and rolls back the deployment, so a DLQ would never be read',
      );
    }
  }
}

/**
 * Why the deploy-time Lambdas reserve no concurrency (checkov CKV_AWS_115): they run a few times per
 * deployment, and any reservation fails to deploy in accounts still at the default concurrency quota.
 */
export const RESERVED_CONCURRENCY_REASON =
  'Deploy-time handler that runs a few times per deployment; a reservation would fail in accounts at the default concurrency quota, where the unreserved pool cannot shrink';

/** Local bundling only: the image is never pulled because tryBundle always succeeds or throws. */
function localOnlyBundling(spec: SparkJobBundleSpec): BundlingOptions {
  const local: ILocalBundling = {
    tryBundle(outputDir: string): boolean {
      writeBundle(spec, outputDir);
      return true;
    },
  };
  return {
    image: DockerImage.fromRegistry('local-bundling-only'),
    local,
    outputType: BundlingOutput.NOT_ARCHIVED,
  };
}

function plannedFileNames(spec: SparkJobBundleSpec): string[] {
  const names = Object.keys(spec.files);
  if (spec.packageDir !== undefined) names.push(BANKPIPE_ZIP);
  return names.sort();
}

/** Bundling runs in a folder; any folder of the inputs will do, since the hash covers the inputs themselves. */
function bundlingWorkingDir(spec: SparkJobBundleSpec): string {
  if (spec.packageDir !== undefined) return spec.packageDir;
  const first = Object.values(spec.files)[0];
  if (first === undefined) throw new Error('a job bundle needs at least one file or the bankpipe package');
  return path.dirname(first);
}
