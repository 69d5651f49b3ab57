import type { S3Client } from '@aws-sdk/client-s3';
import { createS3ManifestStore } from '../../lambda/reconcile-run/aws-ports';
import { type ManifestCounts, parseManifest } from '../../lambda/reconcile-run/reconcile-run';

/**
 * The counts reconcile-run checks, plus `duplicate_bad_lines`: how many of the duplicates were
 * copies of a bad line (the job quarantines each bad text once, spark-jobs/bankpipe/dedup.py), which
 * the demo needs to split the duplicates into generator bad lines and generator duplicates.
 */
export interface HourManifestCounts extends ManifestCounts {
  readonly duplicate_bad_lines: number;
}

export const NO_COUNTS: HourManifestCounts = {
  read: 0,
  valid: 0,
  quarantined: 0,
  duplicates: 0,
  duplicate_bad_lines: 0,
};

/**
 * `counts.duplicate_bad_lines` of a manifest parseManifest accepted. Manifests of job versions
 * before it have none, and 0 is right for them: those versions quarantined every copy.
 */
export function duplicateBadLines(text: string, where: string): number {
  const counts = (JSON.parse(text) as { counts: Record<string, unknown> }).counts;
  const value = counts.duplicate_bad_lines ?? 0;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > Number(counts.duplicates)
  ) {
    throw new Error(
      `manifest ${where}: counts.duplicate_bad_lines must be a whole number from 0 to counts.duplicates, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * The counts of the hour's manifest as it stands (every attempt at an hour rewrites the same
 * manifest, so this is the whole hour as last processed), or zeros when the hour has none.
 */
export async function hourCounts(
  s3: S3Client,
  processedBucket: string,
  runId: string,
): Promise<HourManifestCounts> {
  const store = createS3ManifestStore(s3, processedBucket);
  const text = await store.readManifest(runId);
  if (text === undefined) return NO_COUNTS;
  const where = store.describe(runId);
  return { ...parseManifest(text, runId, where), duplicate_bad_lines: duplicateBadLines(text, where) };
}

export function addCounts(
  a: HourManifestCounts,
  b: HourManifestCounts,
  sign: 1 | -1 = 1,
): HourManifestCounts {
  return {
    read: a.read + sign * b.read,
    valid: a.valid + sign * b.valid,
    quarantined: a.quarantined + sign * b.quarantined,
    duplicates: a.duplicates + sign * b.duplicates,
    duplicate_bad_lines: a.duplicate_bad_lines + sign * b.duplicate_bad_lines,
  };
}

/** Sum of the manifests of `runIds`, read now. */
export async function sumHourCounts(
  s3: S3Client,
  processedBucket: string,
  runIds: readonly string[],
): Promise<HourManifestCounts> {
  let total = NO_COUNTS;
  for (const runId of runIds) total = addCounts(total, await hourCounts(s3, processedBucket, runId));
  return total;
}
