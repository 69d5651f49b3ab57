import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { skipCheckov } from '../shared/checkov';
import { dataRemovalPolicy } from '../shared/data-removal-policy';
import { SecureBucket } from './secure-bucket';
import type { StorageStackProps } from './storage-stack-props';
import { PipelineStack } from '../shared/pipeline-stack';

export type { StorageStackProps } from './storage-stack-props';

/** The data-lake zones and the supporting buckets, all KMS-encrypted, TLS-only, private. */
export interface DataLakeBuckets {
  readonly raw: s3.IBucket;
  readonly processed: s3.IBucket;
  readonly quarantine: s3.IBucket;
  readonly athenaResults: s3.IBucket;
  /** Job scripts, connector plugin zips, EMR logs. */
  readonly artifacts: s3.IBucket;
  readonly accessLogs: s3.IBucket;
  /**
   * Landing bucket behind the Transfer Family SFTP server (the log server's
   * storage); only when `streaming.useTransferFamily` is true.
   */
  readonly sftpLanding?: s3.IBucket;
}

/**
 * Why none of the buckets is replicated to a second region. Kept per bucket
 * (each acknowledgement names its data) and decided here in one place:
 * cross-region DR for a bank is an account-level decision (region pair, data
 * residency, a second key) that this app should not make silently; every bucket
 * is versioned and RETAINed, which covers accidental deletes and overwrites.
 */
function noReplicationBecause(what: string): string {
  return (
    `${what}: versioned and retained on stack deletion, so overwrites and deletes are recoverable; ` +
    'cross-region replication (second region, data residency, second key) is an account-level DR decision outside this app'
  );
}

export class StorageStack extends PipelineStack {
  readonly buckets: DataLakeBuckets;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config, dataKey } = props;
    const removalPolicy = dataRemovalPolicy(config);
    const storage = config.storage;

    const accessLogs = new SecureBucket(this, 'AccessLogsBucket', {
      isAccessLogTarget: true,
      removalPolicy,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(storage.accessLogsExpireAfterDays) },
      ],
      noReplicationReason: noReplicationBecause('Server access logs of the pipeline buckets'),
    });
    const dataBucket = (
      bucketId: string,
      what: string,
      lifecycleRules: s3.LifecycleRule[] = [],
    ): SecureBucket =>
      new SecureBucket(this, bucketId, {
        encryptionKey: dataKey,
        serverAccessLogsBucket: accessLogs,
        removalPolicy,
        lifecycleRules,
        noReplicationReason: noReplicationBecause(what),
      });

    const raw = dataBucket('RawBucket', 'Raw zone (transactions exactly as received from MSK)', [
      {
        id: 'tier-raw-transactions',
        transitions: [
          {
            storageClass: s3.StorageClass.INFREQUENT_ACCESS,
            transitionAfter: Duration.days(storage.rawInfrequentAccessAfterDays),
          },
          {
            storageClass: s3.StorageClass.GLACIER,
            transitionAfter: Duration.days(storage.rawGlacierAfterDays),
          },
        ],
      },
    ]);
    const processed = dataBucket(
      'ProcessedBucket',
      'Processed zone (clean Parquet and reports, rebuildable from raw)',
    );
    const quarantine = dataBucket(
      'QuarantineBucket',
      'Quarantine zone (rejected records kept for investigation)',
      [{ id: 'expire-quarantined-records', expiration: Duration.days(storage.quarantineExpireAfterDays) }],
    );
    const athenaResults = dataBucket(
      'AthenaResultsBucket',
      'Athena query results (re-runnable query output)',
      [{ id: 'expire-query-results', expiration: Duration.days(storage.athenaResultsExpireAfterDays) }],
    );
    const artifacts = dataBucket(
      'ArtifactsBucket',
      'Artifacts (job scripts, connector plugins, EMR logs, all rebuildable from the repository)',
    );
    const sftpLanding = config.streaming.useTransferFamily
      ? dataBucket(
          'SftpLandingBucket',
          'SFTP landing files (the log server storage, also streamed into the raw zone)',
        )
      : undefined;

    this.buckets = { raw, processed, quarantine, athenaResults, artifacts, accessLogs, sftpLanding };
    this.skipCheckovOnAutoDeleteProvider();
  }

  /**
   * With `allowDestroy`, CDK empties the buckets on stack deletion with a
   * one-shot custom resource; its CDK-owned handler only runs during deletion.
   */
  private skipCheckovOnAutoDeleteProvider(): void {
    const handler = this.node
      .tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider')
      ?.node.tryFindChild('Handler');
    if (!handler) return;
    const why =
      'CDK-owned handler that empties the pipeline buckets only when a stage deployed with allowDestroy is deleted';
    skipCheckov(handler, 'CKV_AWS_115', `${why}; no concurrency to limit`);
    skipCheckov(handler, 'CKV_AWS_116', `${why}; CloudFormation waits for it and reports a failure itself`);
    skipCheckov(
      handler,
      'CKV_AWS_117',
      `${why}; it calls only the S3 API and must work while the VPC is being deleted`,
    );
  }
}
