import { beforeAll, describe, expect, it } from 'vitest';
import { globalStackNagFindings, resourcesOfType } from '../../helpers/cross-stack';
import { synthCoreStacks, type CoreSynthResult } from '../../helpers/synth-core-stacks';
import { loadTemplateJson, TEST_STAGES } from '../../helpers/synth-pipeline';

type Resource = ReturnType<typeof resourcesOfType>[number][1];

const DATA_BUCKETS = [
  'RawBucket',
  'ProcessedBucket',
  'QuarantineBucket',
  'AthenaResultsBucket',
  'ArtifactsBucket',
];
const ALL_BUCKETS = [...DATA_BUCKETS, 'AccessLogsBucket'];

function bucketsOf(json: unknown): Map<string, { logicalId: string; resource: Resource }> {
  const buckets = new Map<string, { logicalId: string; resource: Resource }>();
  for (const [logicalId, resource] of resourcesOfType(json, 'AWS::S3::Bucket')) {
    const name = ALL_BUCKETS.concat('SftpLandingBucket').find((n) => logicalId.startsWith(n));
    if (!name) throw new Error(`unexpected bucket ${logicalId}`);
    buckets.set(name, { logicalId, resource });
  }
  return buckets;
}

function lifecycleRules(bucket: Resource): Record<string, unknown>[] {
  return (bucket.Properties?.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
}

function policyOf(json: unknown, bucketLogicalId: string): { Statement: Record<string, unknown>[] } {
  const policy = resourcesOfType(json, 'AWS::S3::BucketPolicy').find(
    ([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: bucketLogicalId }),
  );
  if (!policy) throw new Error(`no bucket policy for ${bucketLogicalId}`);
  return policy[1].Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
}

describe.each(TEST_STAGES)('storage stack (%s)', (stage) => {
  const json = loadTemplateJson(stage, 'storage');
  const buckets = bucketsOf(json);

  it('has the raw, processed, quarantine, Athena results, artifacts and access-log buckets', () => {
    expect([...buckets.keys()].sort()).toEqual([...ALL_BUCKETS].sort());
  });

  it.each(DATA_BUCKETS)('encrypts %s with the pipeline key and an S3 bucket key', (name) => {
    const encryption = buckets.get(name)?.resource.Properties?.BucketEncryption as {
      ServerSideEncryptionConfiguration: Record<string, unknown>[];
    };
    expect(encryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: {
            'Fn::GetStackOutput': expect.objectContaining({
              StackName: `${stage}-bankpipe-foundation`,
              OutputName: expect.stringMatching(/DataKey.*Arn/),
            }),
          },
        },
      },
    ]);
  });

  it('encrypts the access-log bucket with SSE-S3, the only encryption S3 log delivery accepts', () => {
    expect(buckets.get('AccessLogsBucket')?.resource.Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it.each(ALL_BUCKETS)('makes %s private, ACL-free, versioned and retained', (name) => {
    const bucket = buckets.get(name)?.resource;
    expect(bucket?.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket?.Properties?.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    expect(bucket?.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.UpdateReplacePolicy).toBe('Retain');
    expect(lifecycleRules(bucket as Resource)).toContainEqual(
      expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }),
    );
  });

  it.each(ALL_BUCKETS)('refuses requests to %s without TLS 1.2', (name) => {
    const statements = policyOf(json, buckets.get(name)?.logicalId as string).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
    );
  });

  it.each(DATA_BUCKETS)('logs requests to %s into the access-log bucket', (name) => {
    expect(buckets.get(name)?.resource.Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: buckets.get('AccessLogsBucket')?.logicalId },
      LogFilePrefix: `${name}/`,
    });
  });

  it('applies the lifecycle periods of the stage config', () => {
    const glacierDays = stage === 'prod' ? 180 : 90;
    expect(lifecycleRules(buckets.get('RawBucket')?.resource as Resource)).toContainEqual(
      expect.objectContaining({
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER', TransitionInDays: glacierDays },
        ],
      }),
    );
    const expiry = (name: string) =>
      lifecycleRules(buckets.get(name)?.resource as Resource)
        .map((r) => r.ExpirationInDays)
        .filter(Boolean);
    expect(expiry('QuarantineBucket')).toEqual([400]);
    expect(expiry('AthenaResultsBucket')).toEqual([30]);
    expect(expiry('AccessLogsBucket')).toEqual([365]);
    expect(expiry('RawBucket')).toEqual([]);
    expect(expiry('ProcessedBucket')).toEqual([]);
  });

  it('has no cdk-nag findings', () => {
    expect(globalStackNagFindings(stage, 'storage')).toEqual([]);
  });
});

describe('storage stack with allowDestroy and the Transfer Family log server', () => {
  let result: CoreSynthResult;
  beforeAll(() => {
    result = synthCoreStacks('dev', {
      context: { allowDestroy: 'true' },
      stageOverrides: { streaming: { useTransferFamily: true } },
    });
  });

  it('deletes the buckets and empties them first', () => {
    const json = result.template('storage').toJSON();
    const buckets = bucketsOf(json);
    for (const [, { resource }] of buckets) {
      expect(resource.DeletionPolicy).toBe('Delete');
    }
    expect(resourcesOfType(json, 'Custom::S3AutoDeleteObjects')).toHaveLength(buckets.size);
  });

  it('adds an encrypted, versioned landing bucket behind the SFTP server', () => {
    const landing = bucketsOf(result.template('storage').toJSON()).get('SftpLandingBucket')?.resource;
    expect(landing?.Properties?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(JSON.stringify(landing?.Properties?.BucketEncryption)).toContain('aws:kms');
    expect(result.storage.buckets.sftpLanding).toBeDefined();
  });

  it('has no cdk-nag findings in this variant either', () => {
    expect(result.nagFindings).toEqual([]);
  });
});
