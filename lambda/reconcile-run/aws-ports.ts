import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client, type _Object } from '@aws-sdk/client-s3';
import { manifestKey } from '../../lib/shared/pipeline-layout';
import { errorName } from '../shared/errors';
import { ContentLineCounter, isReadByJob } from './raw-lines';
import type { LateLines, ManifestStore, RawLineCounter } from './reconcile-run';

/** Manifests in the processed bucket under `_manifest/<run-id>.json` (contracts/pipeline-layout.json). */
export function createS3ManifestStore(s3: S3Client, processedBucket: string): ManifestStore {
  return {
    describe: (runId) => `s3://${processedBucket}/${manifestKey(runId)}`,
    async readManifest(runId: string): Promise<string | undefined> {
      try {
        const object = await s3.send(
          new GetObjectCommand({ Bucket: processedBucket, Key: manifestKey(runId) }),
        );
        return object.Body ? await object.Body.transformToString('utf-8') : undefined;
      } catch (error) {
        if (errorName(error) === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
}

/** Objects read at once: an hour is a few hundred sink objects, each streamed, never held whole. */
const PARALLEL_READS = 8;

/**
 * The raw zone's lines of one hour, counted by streaming every object under the prefix (gzip
 * objects, `.gz`, decompressed on the way), so memory stays flat however large the hour is.
 */
export function createS3RawLineCounter(s3: S3Client, rawBucket: string): RawLineCounter {
  const listReadByJob = async (rawPrefix: string): Promise<_Object[]> => {
    const objects: _Object[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: rawBucket, Prefix: rawPrefix, ContinuationToken: token }),
      );
      objects.push(...(page.Contents ?? []).filter((o) => isReadByJob(o.Key ?? '', rawPrefix)));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return objects;
  };
  return {
    describe: (rawPrefix) => `s3://${rawBucket}/${rawPrefix}`,
    async countLines(rawPrefix: string): Promise<number> {
      return countAllLines(s3, rawBucket, await listReadByJob(rawPrefix));
    },
    async countLinesWrittenSince(rawPrefix: string, instant: Date): Promise<LateLines> {
      // LastModified has whole seconds: compare with the start of the instant's second. An object
      // without one cannot be shown to be late, so it counts as read-worthy (the stricter answer).
      const since = Math.floor(instant.getTime() / 1000) * 1000;
      const late = (await listReadByJob(rawPrefix)).filter(
        (object) => (object.LastModified?.getTime() ?? Number.NEGATIVE_INFINITY) >= since,
      );
      return { lines: await countAllLines(s3, rawBucket, late), objects: late.length };
    },
  };
}

/** The lines of `objects`, PARALLEL_READS objects at a time. */
async function countAllLines(s3: S3Client, rawBucket: string, objects: readonly _Object[]): Promise<number> {
  let total = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < objects.length) {
      const key = objects[next++].Key as string;
      // Not `total += await ...`: that reads `total` before the await and loses the other workers' sums.
      const lines = await countObjectLines(s3, rawBucket, key);
      total += lines;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, objects.length) }, worker));
  return total;
}

async function countObjectLines(s3: S3Client, bucket: string, key: string): Promise<number> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) return 0;
  const body = object.Body as Readable;
  let stream: Readable = body;
  if (key.endsWith('.gz')) {
    const gunzip = createGunzip();
    // pipe() does not forward errors: a failed download must fail the count, not hang it.
    body.on('error', (error) => gunzip.destroy(error));
    stream = body.pipe(gunzip);
  }
  const counter = new ContentLineCounter();
  for await (const chunk of stream as AsyncIterable<Uint8Array>) counter.add(chunk);
  return counter.total();
}
