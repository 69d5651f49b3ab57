import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { s3ClientConfig } from '../../lambda/shared/clients';
import { errorName } from '../../lambda/shared/errors';
import type { TwinSettings } from './settings';
import {
  partitionPatternSource,
  RAW_HOUR_PARTITION,
  RAW_TRANSACTIONS_PREFIX,
  SINK_WATERMARK_FOLDER,
} from '../../lib/shared/pipeline-layout';

/** The handlers' own S3 client settings, pointed at s3proxy (path style, one attempt per call). */
export function twinS3Client(settings: TwinSettings): S3Client {
  return new S3Client({
    ...s3ClientConfig({ AWS_ENDPOINT_URL_S3: settings.s3Endpoint, AWS_S3_FORCE_PATH_STYLE: 'true' }),
    endpoint: settings.s3Endpoint,
    forcePathStyle: true,
    region: process.env.AWS_REGION ?? 'us-east-1',
  });
}

export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<_Object[]> {
  const objects: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    objects.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return objects.filter((object) => object.Key !== undefined && !object.Key.endsWith('/'));
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body ? object.Body.transformToString('utf-8') : '';
}

export async function uploadFile(s3: S3Client, bucket: string, key: string, file: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.readFileSync(file) }));
}

/** Lines the way the raw zone stores them: one per `\n`, a final line without `\n` counted too. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines += 1;
  return text.endsWith('\n') ? lines : lines + 1;
}

/** The raw hour folder of contracts/pipeline-layout.json, its fields as named groups. */
const RAW_HOUR_IN_KEY = new RegExp(partitionPatternSource(RAW_HOUR_PARTITION, { capture: true }));

/** `transactions/year=2024/month=05/day=01/hour=10/...` -> `2024-05-01T10` (the run window). */
export function windowOfRawKey(key: string): string | undefined {
  const hour = RAW_HOUR_IN_KEY.exec(key)?.groups;
  return hour ? `${hour.year}-${hour.month}-${hour.day}T${hour.hour}` : undefined;
}

/**
 * Counts the raw zone's lines per object. Sink objects are immutable (a replay rewrites the same
 * content under the same key), so each key+size is downloaded once across polls.
 */
export class RawZoneCounter {
  private readonly lines = new Map<string, { size: number; lines: number }>();

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix = RAW_TRANSACTIONS_PREFIX,
  ) {}

  /** Lines per object key, after refreshing the listing. */
  async refresh(): Promise<Map<string, number>> {
    const objects = await listObjects(this.s3, this.bucket, this.prefix);
    const result = new Map<string, number>();
    for (const object of objects) {
      const key = object.Key as string;
      // The sink's watermark objects describe the data; they hold no transaction lines.
      if (key.includes(`/${SINK_WATERMARK_FOLDER}`)) continue;
      const size = object.Size ?? 0;
      let known = this.lines.get(key);
      if (known === undefined || known.size !== size) {
        let text: string;
        try {
          text = await readText(this.s3, this.bucket, key);
        } catch (error) {
          // Listed, then gone (replaced between list and get): the next poll sees its successor.
          if (errorName(error) === 'NoSuchKey') continue;
          throw error;
        }
        known = { size, lines: countLines(text) };
        this.lines.set(key, known);
      }
      result.set(key, known.lines);
    }
    return result;
  }
}

export function sumLines(perKey: Map<string, number>, keys?: (key: string) => boolean): number {
  let total = 0;
  for (const [key, lines] of perKey) if (keys === undefined || keys(key)) total += lines;
  return total;
}

/**
 * Mirrors `s3://bucket/prefix` into a local folder (the Athena stand-in reads local Parquet):
 * new or changed objects are downloaded, objects gone from the bucket are removed locally.
 */
export async function mirrorPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  into: string,
): Promise<number> {
  const objects = await listObjects(s3, bucket, prefix);
  const wanted = new Set<string>();
  let downloaded = 0;
  for (const object of objects) {
    const key = object.Key as string;
    const target = path.join(into, key);
    wanted.add(path.resolve(target));
    const stat = fs.statSync(target, { throwIfNoEntry: false });
    if (stat && stat.size === (object.Size ?? -1) && stat.mtime >= (object.LastModified ?? new Date(0)))
      continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const body = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body;
    if (!body) throw new Error(`s3://${bucket}/${key} has no body`);
    const partial = `${target}.partial`;
    await pipeline(body as Readable, fs.createWriteStream(partial));
    fs.renameSync(partial, target);
    downloaded += 1;
  }
  for (const file of walk(path.join(into, prefix))) {
    if (!wanted.has(path.resolve(file))) fs.rmSync(file);
  }
  return downloaded;
}

function* walk(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}
