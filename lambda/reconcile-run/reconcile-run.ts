import { PermanentError } from '../shared/errors';
import type { RunLog } from '../shared/log';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../shared/retry';
import { RUN_ID_PATTERN } from '../shared/run-input';

/** Where run manifests live; S3 on AWS (`<processed>/_manifest/<run-id>.json`), a folder or local S3 in the twin. */
export interface ManifestStore {
  /** The manifest text, or undefined when there is no manifest for the run. */
  readManifest(runId: string): Promise<string | undefined>;
  /** Human-readable location of the manifest, for error messages. */
  describe(runId: string): string;
}

/** The counts the ATM job writes (spark-jobs/bankpipe/manifest.py); only these are checked here. */
export interface ManifestCounts {
  readonly read: number;
  readonly valid: number;
  readonly quarantined: number;
  readonly duplicates: number;
}

export interface ReconcileRunInput {
  readonly runId: string;
}

export interface ReconcileRunResult extends ManifestCounts {
  readonly runId: string;
}

/**
 * The run's counts do not add up: records were lost or invented between the raw
 * zone and the outputs. Not retried; the run fails and the alert quotes this.
 */
export class ReconciliationError extends PermanentError {
  override readonly name = 'ReconciliationError';
}

/**
 * Reads the ATM job's manifest for the run and checks the pipeline's invariant
 * `read = valid + quarantined + duplicates`. The job checks the same invariant
 * before publishing; checking it again here, from the published document, is
 * what lets the orchestration refuse to load a run whose outputs do not match
 * its input (e.g. a manifest from an older attempt, or a partially written one).
 */
export async function reconcileRun(
  input: unknown,
  store: ManifestStore,
  log: RunLog,
  retry: RetryOptions = DEFAULT_RETRY,
): Promise<ReconcileRunResult> {
  const runId = readRunId(input);
  const where = store.describe(runId);
  const text = await withRetry(`reading manifest ${where}`, () => store.readManifest(runId), {
    ...retry,
    onRetry: ({ attempt, delayMs, error }) =>
      log.warn('retrying manifest read', { attempt, delayMs, error: error.message }),
  });
  if (text === undefined) {
    throw new PermanentError(
      `run ${runId}: no manifest at ${where}; the ATM step reported success but did not publish its manifest (see the EMR step logs)`,
    );
  }
  const counts = parseManifest(text, runId, where);
  const accounted = counts.valid + counts.quarantined + counts.duplicates;
  if (counts.read !== accounted) {
    throw new ReconciliationError(
      `run ${runId}: read=${counts.read} but valid+quarantined+duplicates=${accounted} ` +
        `(valid=${counts.valid}, quarantined=${counts.quarantined}, duplicates=${counts.duplicates}) in ${where}; ` +
        'records were lost or multiplied, so the warehouse load was not started',
    );
  }
  log.info('run reconciled', { runId, ...counts });
  return { runId, ...counts };
}

function readRunId(input: unknown): string {
  const runId =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>).runId : undefined;
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    throw new PermanentError(
      `reconcile-run needs {"runId": "<execution name>"}, got ${JSON.stringify(input)?.slice(0, 200)}`,
    );
  }
  return runId;
}

/** Parses and checks a manifest document; every problem names the field and the file. */
export function parseManifest(text: string, runId: string, where: string): ManifestCounts {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PermanentError(`manifest ${where} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new PermanentError(`manifest ${where} is not a JSON object`);
  }
  const doc = document as Record<string, unknown>;
  if (doc.run_id !== runId) {
    throw new ReconciliationError(
      `manifest ${where} belongs to run ${JSON.stringify(doc.run_id)}, not ${runId}; it was not written by this run`,
    );
  }
  const counts = doc.counts;
  if (typeof counts !== 'object' || counts === null) {
    throw new PermanentError(`manifest ${where} has no "counts" object`);
  }
  const c = counts as Record<string, unknown>;
  const count = (name: keyof ManifestCounts): number => {
    const value = c[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new PermanentError(
        `manifest ${where}: counts.${name} must be a whole number >= 0, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  };
  return {
    read: count('read'),
    valid: count('valid'),
    quarantined: count('quarantined'),
    duplicates: count('duplicates'),
  };
}
