import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { skipCheckov } from '../shared/checkov';

export interface SecureBucketProps {
  /**
   * Customer-managed key for default encryption (SSE-KMS with an S3 bucket key).
   * Leave it out only for a server-access-log target, which S3 can only write
   * with SSE-S3.
   * @default - S3-managed encryption (SSE-S3)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Bucket receiving this bucket's server access logs. Required unless this
   * bucket is itself the access-log target (`isAccessLogTarget`).
   * @default - no server access logs (only allowed with `isAccessLogTarget`)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * Prefix of this bucket's logs in the access-log bucket.
   * @default '<construct id>/'
   */
  readonly serverAccessLogsPrefix?: string;
  /**
   * This bucket is the target of other buckets' server access logs.
   * @default false
   */
  readonly isAccessLogTarget?: boolean;
  /**
   * Lifecycle rules, on top of the noncurrent-version expiry and the
   * incomplete-upload cleanup every secure bucket gets.
   * @default - none
   */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Days after which overwritten or deleted object versions are removed.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * RETAIN keeps the bucket and its data on `cdk destroy`; DESTROY also empties it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Why this bucket is not replicated to another region (PCI DSS 3.2.1
   * `S3BucketReplicationEnabled`). Recorded as the acknowledgement reason on
   * this bucket, so it must speak about this bucket's data.
   */
  readonly noReplicationReason: string;
}

/**
 * An S3 bucket that is secure by default: SSE-KMS with a bucket key (or SSE-S3
 * for an access-log target), TLS 1.2+ only, all public access blocked, ACLs
 * disabled, versioned, server access logs, lifecycle cleanup of old versions
 * and incomplete uploads, and data retained on stack deletion unless the stage
 * allows destroy.
 */
export class SecureBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    if (!props.isAccessLogTarget && !props.serverAccessLogsBucket) {
      throw new Error(
        `SecureBucket ${id}: pass serverAccessLogsBucket (only the access-log target itself may go without)`,
      );
    }
    if (!props.isAccessLogTarget && !props.encryptionKey) {
      throw new Error(`SecureBucket ${id}: pass encryptionKey (SSE-S3 is only for the access-log target)`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    super(scope, id, {
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket
        ? (props.serverAccessLogsPrefix ?? `${id}/`)
        : undefined,
      lifecycleRules: [
        {
          id: 'expire-old-versions-and-incomplete-uploads',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiredObjectDeleteMarker: true,
        },
        ...(props.lifecycleRules ?? []),
      ],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });

    Validations.of(this).acknowledge({
      id: 'PCI.DSS.321-S3BucketReplicationEnabled',
      reason: props.noReplicationReason,
    });
    if (props.isAccessLogTarget) {
      skipCheckov(
        this,
        'CKV_AWS_18',
        'This is the server-access-log target of every pipeline bucket; logging it into itself would loop',
      );
      Validations.of(this).acknowledge(
        {
          id: 'AwsSolutions-S1',
          reason:
            'This is the server-access-log target of every pipeline bucket; logging it into itself would loop',
        },
        {
          id: 'PCI.DSS.321-S3BucketLoggingEnabled',
          reason:
            'This is the server-access-log target of every pipeline bucket; logging it into itself would loop',
        },
        {
          id: 'PCI.DSS.321-S3DefaultEncryptionKMS',
          reason:
            'S3 delivers server access logs only to buckets with SSE-S3 default encryption, not SSE-KMS',
        },
      );
    }
  }
}
