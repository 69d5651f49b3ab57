import type { S3Client } from '@aws-sdk/client-s3';
import { createS3ManifestStore } from '../../lambda/reconcile-run/aws-ports';
import { type ManifestCounts, parseManifest } from '../../lambda/reconcile-run/reconcile-run';

export const NO_COUNTS: ManifestCounts = { read: 0, valid: 0, quarantined: 0, duplicates: 0 };

/**
 * The counts of the hour's manifest as it stands (every attempt at an hour rewrites the same
 * manifest, so this is the whole hour as last processed), or zeros when the hour has none.
 */
export async function hourCounts(
  s3: S3Client,
  processedBucket: string,
  runId: string,
): Promise<ManifestCounts> {
  const store = createS3ManifestStore(s3, processedBucket);
  const text = await store.readManifest(runId);
  return text === undefined ? NO_COUNTS : parseManifest(text, runId, store.describe(runId));
}

export function addCounts(a: ManifestCounts, b: ManifestCounts, sign: 1 | -1 = 1): ManifestCounts {
  return {
    read: a.read + sign * b.read,
    valid: a.valid + sign * b.valid,
    quarantined: a.quarantined + sign * b.quarantined,
    duplicates: a.duplicates + sign * b.duplicates,
  };
}

/** Sum of the manifests of `runIds`, read now. */
export async function sumHourCounts(
  s3: S3Client,
  processedBucket: string,
  runIds: readonly string[],
): Promise<ManifestCounts> {
  let total = NO_COUNTS;
  for (const runId of runIds) total = addCounts(total, await hourCounts(s3, processedBucket, runId));
  return total;
}
