import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3ManifestStore, createS3RawLineCounter } from '../../lambda/reconcile-run/aws-ports';
import {
  type ManifestStore,
  type RawLineCounter,
  ReconciliationError,
  reconcileRun,
} from '../../lambda/reconcile-run/reconcile-run';
import { PermanentError } from '../../lambda/shared/errors';
import { createBucket } from '../helpers/moto-resources';
import { fastRetry, memoryLog, motoPerFile } from './aws-test-helpers';

/**
 * The reconcile-run adapter (lambda/reconcile-run/aws-ports.ts) with the real
 * AWS SDK against a moto server's S3 (path-style): the manifest key of
 * docs/data-layout.md read with GetObject, its body decoded as UTF-8 and
 * NoSuchKey as "no manifest"; the hour's raw lines counted over every
 * ListObjectsV2 page, streaming each object (gzip ones decompressed). moto does not enforce IAM: that S3 answers AccessDenied instead
 * of NoSuchKey without s3:ListBucket is handled in the template (the
 * reconcile-run role's SeeMissingManifests statement) and not tested here.
 */

const PROCESSED_BUCKET = 'dev-processed';
const RAW_BUCKET = 'dev-raw';
const RUN_ID = 'run-2024-05-01T11';
const RAW_PREFIX = 'transactions/year=2024/month=05/day=01/hour=11/';

const aws = motoPerFile((moto) => ({ s3: new S3Client(moto.s3ClientConfig()) }));
let store: ManifestStore;
let raw: RawLineCounter;

beforeAll(() => {
  store = createS3ManifestStore(aws.s3, PROCESSED_BUCKET);
  raw = createS3RawLineCounter(aws.s3, RAW_BUCKET);
});

beforeEach(async () => {
  for (const bucket of [PROCESSED_BUCKET, RAW_BUCKET]) await createBucket(aws.s3, aws.moto.region, bucket);
});

async function putRaw(key: string, body: string | Buffer): Promise<void> {
  await aws.s3.send(
    new PutObjectCommand({
      Bucket: RAW_BUCKET,
      Key: `${RAW_PREFIX}${key}`,
      Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    }),
  );
}

async function putManifest(runId: string, document: unknown): Promise<void> {
  await aws.s3.send(
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
    const elsewhere = createS3ManifestStore(aws.s3, 'no-such-bucket');
    await expect(elsewhere.readManifest(RUN_ID)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('describes the location it reads', () => {
    expect(store.describe(RUN_ID)).toBe(`s3://${PROCESSED_BUCKET}/_manifest/${RUN_ID}.json`);
  });
});

describe('countLines (S3 ListObjectsV2 + GetObject, streamed)', () => {
  it('counts nothing in an empty hour', async () => {
    await expect(raw.countLines(RAW_PREFIX)).resolves.toBe(0);
  });

  it('counts the non-blank lines of plain and gzip objects, skipping what Spark skips', async () => {
    await putRaw('part-0.jsonl', '{"a":1}\n\n  \n{"a":2}\r\n{"a":3}');
    await putRaw('part-1.jsonl.gz', gzipSync(Buffer.from('{"b":1}\n{"b":"Zürich"}\n', 'utf8')));
    await putRaw('_SUCCESS', 'not read\n');
    await putRaw('.part-2.jsonl.crc', 'not read\n');
    await putRaw('_tmp/part-3.jsonl', 'not read\n');
    await putRaw('', '');
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: RAW_BUCKET,
        Key: 'transactions/year=2024/month=05/day=01/hour=10/part-0.jsonl',
        Body: Buffer.from('another hour\n'),
      }),
    );
    await expect(raw.countLines(RAW_PREFIX)).resolves.toBe(5);
  });

  it('counts every object of a prefix holding more than one listing page (1,000 objects)', async () => {
    const keys = Array.from({ length: 1_003 }, (_, i) => `part-${String(i).padStart(4, '0')}.jsonl`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => putRaw(key, '{"a":1}\n{"a":2}\n')));
    }
    await expect(raw.countLines(RAW_PREFIX)).resolves.toBe(2 * keys.length);
  });

  it('counts apart the objects written since an instant (LastModified, whole seconds)', async () => {
    await putRaw('part-0.jsonl', '{"a":1}\n{"a":2}\n');
    // The next whole second: LastModified of the first object is before it.
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 50));
    const startedAt = new Date();
    await putRaw('part-1.jsonl', '{"b":1}\n{"b":2}\n{"b":3}\n');
    await expect(raw.countLinesWrittenSince(RAW_PREFIX, startedAt)).resolves.toEqual({
      lines: 3,
      objects: 1,
    });
    await expect(raw.countLines(RAW_PREFIX)).resolves.toBe(5);
  });

  it('lets a missing bucket fail as the SDK reports it', async () => {
    const elsewhere = createS3RawLineCounter(aws.s3, 'no-such-bucket');
    await expect(elsewhere.countLines(RAW_PREFIX)).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('describes the location it counts', () => {
    expect(raw.describe(RAW_PREFIX)).toBe(`s3://${RAW_BUCKET}/${RAW_PREFIX}`);
  });
});

describe('reconcileRun over the real adapters', () => {
  const ports = (): { manifests: ManifestStore; raw: RawLineCounter } => ({ manifests: store, raw });
  const input = { runId: RUN_ID, rawPrefix: RAW_PREFIX };

  it('returns the counts of a manifest that adds up and matches the raw lines', async () => {
    await putManifest(RUN_ID, {
      run_id: RUN_ID,
      counts: { read: 3, valid: 1, quarantined: 1, duplicates: 1 },
    });
    await putRaw('part-0.jsonl', '{"a":1}\n{"a":2}\n{"a":2}\n');
    await expect(reconcileRun(input, ports(), memoryLog(), fastRetry())).resolves.toEqual({
      runId: RUN_ID,
      rawLines: 3,
      lateLines: 0,
      read: 3,
      valid: 1,
      quarantined: 1,
      duplicates: 1,
    });
  });

  it('fails when the raw zone holds lines the job did not read', async () => {
    await putManifest(RUN_ID, {
      run_id: RUN_ID,
      counts: { read: 1, valid: 1, quarantined: 0, duplicates: 0 },
    });
    await putRaw('part-0.jsonl', '{"a":1}\n');
    await putRaw('part-1.jsonl', '{"late":1}\n');
    await expect(reconcileRun(input, ports(), memoryLog(), fastRetry())).rejects.toBeInstanceOf(
      ReconciliationError,
    );
  });

  it('fails permanently, naming the S3 location, when the run published no manifest', async () => {
    const failure = reconcileRun(input, ports(), memoryLog(), fastRetry());
    await expect(failure).rejects.toBeInstanceOf(PermanentError);
    await expect(failure).rejects.toThrow(`no manifest at s3://${PROCESSED_BUCKET}/_manifest/${RUN_ID}.json`);
  });
});
