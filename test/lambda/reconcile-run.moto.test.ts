import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3ManifestStore } from '../../lambda/reconcile-run/aws-ports';
import { type ManifestStore, reconcileRun } from '../../lambda/reconcile-run/reconcile-run';
import { PermanentError } from '../../lambda/shared/errors';
import { startMotoServer, type MotoServer } from '../helpers/moto-server';
import { fastRetry, memoryLog } from './aws-test-helpers';

/**
 * The reconcile-run adapter (lambda/reconcile-run/aws-ports.ts) with the real
 * AWS SDK against a moto server's S3 (GetObject, path-style): the manifest key
 * of docs/data-layout.md, the body decoded as UTF-8, and NoSuchKey as "no
 * manifest". moto does not enforce IAM: that S3 answers AccessDenied instead
 * of NoSuchKey without s3:ListBucket is handled in the template (the
 * reconcile-run role's SeeMissingManifests statement) and not tested here.
 */

const PROCESSED_BUCKET = 'dev-processed';
const RUN_ID = 'run-2024-05-01T11';

let moto: MotoServer;
let s3: S3Client;
let store: ManifestStore;

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client(moto.s3ClientConfig());
  store = createS3ManifestStore(s3, PROCESSED_BUCKET);
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  await s3.send(
    new CreateBucketCommand({
      Bucket: PROCESSED_BUCKET,
      CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-central-1' },
    }),
  );
});

async function putManifest(runId: string, document: unknown): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: PROCESSED_BUCKET,
      Key: `_manifest/${runId}.json`,
      Body: Buffer.from(JSON.stringify(document), 'utf8'),
      ContentType: 'application/json',
    }),
  );
}

const manifest = {
  run_id: RUN_ID,
  counts: { read: 1000, valid: 985, quarantined: 10, duplicates: 5 },
  note: 'Zürich ATM, 5 € fee',
};

describe('readManifest (S3 GetObject)', () => {
  it('reads the run manifest under _manifest/<run-id>.json as UTF-8 text', async () => {
    await putManifest(RUN_ID, manifest);
    const text = await store.readManifest(RUN_ID);
    expect(JSON.parse(text ?? 'null')).toEqual(manifest);
  });

  it('reads a missing manifest as undefined (NoSuchKey), not as an error', async () => {
    await putManifest('run-2024-05-01T10', { ...manifest, run_id: 'run-2024-05-01T10' });
    await expect(store.readManifest(RUN_ID)).resolves.toBeUndefined();
  });

  it('lets a missing bucket fail as the SDK reports it', async () => {
    const elsewhere = createS3ManifestStore(s3, 'no-such-bucket');
    await expect(elsewhere.readManifest(RUN_ID)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('describes the location it reads', () => {
    expect(store.describe(RUN_ID)).toBe(`s3://${PROCESSED_BUCKET}/_manifest/${RUN_ID}.json`);
  });
});

describe('reconcileRun over the real adapter', () => {
  it('returns the counts of a manifest that adds up', async () => {
    await putManifest(RUN_ID, manifest);
    await expect(reconcileRun({ runId: RUN_ID }, store, memoryLog(), fastRetry())).resolves.toEqual({
      runId: RUN_ID,
      read: 1000,
      valid: 985,
      quarantined: 10,
      duplicates: 5,
    });
  });

  it('fails permanently, naming the S3 location, when the run published no manifest', async () => {
    const failure = reconcileRun({ runId: RUN_ID }, store, memoryLog(), fastRetry());
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toThrow(`no manifest at s3://${PROCESSED_BUCKET}/_manifest/${RUN_ID}.json`);
  });
});
