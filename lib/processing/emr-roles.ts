import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources } from '../shared/nag-acknowledgements';

import { RAW_TRANSACTIONS_PREFIX } from '../shared/pipeline-layout';

/** Folder of the artifacts bucket EMR writes its cluster and step logs to. */
export const EMR_LOG_PREFIX = 'emr-logs/';

export interface EmrRolesProps {
  readonly dataKey: kms.IKey;
  readonly raw: s3.IBucket;
  readonly processed: s3.IBucket;
  readonly quarantine: s3.IBucket;
  readonly artifacts: s3.IBucket;
  /** ARNs of the job files the step reads (the script and the package zip). */
  readonly jobFileArns: string[];
}

/**
 * The two roles of a per-run EMR cluster.
 *
 * - Service role (`elasticmapreduce.amazonaws.com`): the AWS-managed
 *   `AmazonEMRServicePolicy_v2`, the documented least-privilege policy for
 *   EMR. Unlike v1 it only touches EC2 resources tagged
 *   `for-use-with-amazon-emr-managed-policies=true` (the network stack tags the
 *   EMR subnets and security groups; Step Functions' EmrCreateCluster tags the
 *   cluster). Rewriting its ~100 EC2 statements by hand would be less safe
 *   than tracking AWS's version. Our additions: pass only the instance role,
 *   and use the pipeline key for EBS encryption.
 * - Instance role (job flow role, assumed by the cluster's EC2 instances):
 *   read the job files and the raw zone, write processed and quarantine,
 *   push logs under emr-logs/, use the pipeline key. Its instance profile has
 *   the role's name, as EmrCreateCluster expects (`JobFlowRole` is a profile name).
 */
export class EmrRoles extends Construct {
  readonly serviceRole: iam.Role;
  readonly instanceRole: iam.Role;
  readonly instanceProfile: iam.CfnInstanceProfile;
  readonly instancePolicy: iam.ManagedPolicy;
  readonly servicePolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: EmrRolesProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'EMR cluster instances of the ATM job: read raw, write processed/quarantine, logs',
    });
    this.instanceProfile = new iam.CfnInstanceProfile(this, 'InstanceProfile', {
      roles: [this.instanceRole.roleName],
      instanceProfileName: this.instanceRole.roleName,
    });
    this.instancePolicy = new iam.ManagedPolicy(this, 'InstancePolicy', {
      description: 'What the ATM-transaction Spark step may do on the data lake',
      roles: [this.instanceRole],
      statements: instanceStatements(props),
    });
    acknowledgeWildcardResources(this.instancePolicy, [
      {
        resource: props.raw.arnForObjects(`${RAW_TRANSACTIONS_PREFIX}*`),
        reason:
          'The ATM job reads the hourly raw files the S3 sink writes under transactions/year=/month=/day=/hour=/; their names are only known at run time',
      },
      {
        resource: props.artifacts.arnForObjects(`${EMR_LOG_PREFIX}*`),
        reason:
          "EMR writes each cluster's logs under emr-logs/<cluster-id>/ of the artifacts bucket; the cluster id exists only once the run creates it",
      },
      {
        resource: props.processed.arnForObjects('*'),
        reason:
          'The ATM job owns the processed bucket: it overwrites Parquet partitions and writes reports and run manifests whose object names Spark chooses at run time',
      },
      {
        resource: props.quarantine.arnForObjects('*'),
        reason:
          'The ATM job owns the quarantine bucket: it writes run_id=<run>/ folders of rejected records whose object names Spark chooses at run time',
      },
    ]);

    this.serviceRole = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('elasticmapreduce.amazonaws.com', {
        // Confused-deputy guard: only EMR acting for this account may assume it.
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'elasticmapreduce', resource: '*' }) },
        },
      }),
      description: 'EMR service role of the per-run ATM job clusters',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
    });
    Validations.of(this.serviceRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2]',
      reason:
        'AmazonEMRServicePolicy_v2 is the documented least-privilege EMR service policy; it acts only on EC2 resources tagged for-use-with-amazon-emr-managed-policies, and AWS keeps it current with EMR',
    });
    this.servicePolicy = new iam.ManagedPolicy(this, 'ServicePolicy', {
      description: 'EMR service: pass the ATM job instance role, encrypt EBS with the pipeline key',
      roles: [this.serviceRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'PassTheInstanceRoleToEc2',
          actions: ['iam:PassRole'],
          resources: [this.instanceRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          sid: 'EncryptEbsWithPipelineKey',
          actions: [
            'kms:Encrypt',
            'kms:Decrypt',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:DescribeKey',
          ],
          resources: [props.dataKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'GrantEbsUseOfPipelineKey',
          actions: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
          resources: [props.dataKey.keyArn],
          conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      ],
    });
  }
}

function instanceStatements(props: EmrRolesProps): iam.PolicyStatement[] {
  const { raw, processed, quarantine, artifacts } = props;
  return [
    new iam.PolicyStatement({
      sid: 'ReadJobFiles',
      actions: ['s3:GetObject'],
      resources: props.jobFileArns,
    }),
    new iam.PolicyStatement({
      sid: 'ListRawTransactions',
      actions: ['s3:ListBucket'],
      resources: [raw.bucketArn],
      conditions: { StringLike: { 's3:prefix': [RAW_TRANSACTIONS_PREFIX, `${RAW_TRANSACTIONS_PREFIX}*`] } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadRawTransactions',
      actions: ['s3:GetObject'],
      resources: [raw.arnForObjects(`${RAW_TRANSACTIONS_PREFIX}*`)],
    }),
    new iam.PolicyStatement({
      sid: 'ListOutputZones',
      actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
      resources: [processed.bucketArn, quarantine.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'WriteOutputZones',
      actions: [
        's3:GetObject',
        's3:PutObject',
        's3:DeleteObject',
        's3:AbortMultipartUpload',
        's3:ListMultipartUploadParts',
      ],
      resources: [processed.arnForObjects('*'), quarantine.arnForObjects('*')],
    }),
    new iam.PolicyStatement({
      sid: 'PushClusterLogs',
      actions: ['s3:PutObject'],
      resources: [artifacts.arnForObjects(`${EMR_LOG_PREFIX}*`)],
    }),
    new iam.PolicyStatement({
      sid: 'LocateBuckets',
      actions: ['s3:GetBucketLocation'],
      resources: [raw.bucketArn, processed.bucketArn, quarantine.bucketArn, artifacts.bucketArn],
    }),
    new iam.PolicyStatement({
      sid: 'UsePipelineKey',
      // SSE-KMS reads and writes, and the KMS-backed local disk encryption of the security configuration.
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.dataKey.keyArn],
    }),
  ];
}
