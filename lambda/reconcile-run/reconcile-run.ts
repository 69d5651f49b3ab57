import { RAW_HOUR_PREFIX_EXAMPLE, RAW_HOUR_PREFIX_PATTERN } from '../../lib/shared/pipeline-layout';
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

/** The raw zone's lines under a prefix; S3 on AWS, s3proxy in the twin (createS3RawLineCounter). */
export interface RawLineCounter {
  /** Lines the ATM job would read under `rawPrefix`: non-blank lines of the objects it reads. */
  countLines(rawPrefix: string): Promise<number>;
  /**
   * The same count over only the objects last modified at or after `instant` (S3 LastModified,
   * whole seconds: an object written in the same second counts as written after).
   */
  countLinesWrittenSince(rawPrefix: string, instant: Date): Promise<LateLines>;
  /** Human-readable location of the prefix, for error messages. */
  describe(rawPrefix: string): string;
}

export interface ReconcilePorts {
  readonly manifests: ManifestStore;
  readonly raw: RawLineCounter;
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
  /** The hour's raw prefix the job read (RunInput.rawPrefix). */
  readonly rawPrefix: string;
  /**
   * When the run's execution started (`$$.Execution.StartTime`): objects written after it arrived
   * after start-run claimed the hour. Absent from older callers: then every extra line fails the run.
   */
  readonly startedAt?: Date;
}

/** Lines in objects written after a given instant (RawLineCounter.countLinesWrittenSince). */
export interface LateLines {
  readonly lines: number;
  readonly objects: number;
}

export interface ReconcileRunResult extends ManifestCounts {
  readonly runId: string;
  /**
   * Non-blank lines in the hour's raw objects when the run was reconciled: `read`, plus
   * `lateLines` when objects arrived after the run started.
   */
  readonly rawLines: number;
  /**
   * Lines of objects written into the hour after the run started that the job did not read; they
   * are processed by the hour's late-data re-run, not by this run. 0 normally.
   */
  readonly lateLines: number;
}

/** The raw hour layout of contracts/pipeline-layout.json; anything else is refused before S3 is read. */
const RAW_PREFIX = RAW_HOUR_PREFIX_PATTERN;

/**
 * The run's counts do not add up: records were lost or invented between the raw
 * zone and the outputs. Not retried; the run fails and the alert quotes this.
 */
export class ReconciliationError extends PermanentError {
  override readonly name = 'ReconciliationError';
}

/**
 * Reads the ATM job's manifest for the run and checks, from the published document:
 *
 * - the pipeline's invariant `read = valid + quarantined + duplicates`. The job checks it before
 *   publishing; checking it again here is what lets the orchestration refuse to load a run whose
 *   outputs do not match its input (e.g. a manifest from an older attempt, or a partially written one);
 * - `read` = the non-blank lines in the hour's raw objects, counted here independently of the job:
 *   a line the job never saw (an object it skipped) would otherwise go unnoticed. Such a run fails;
 *   start-run retries it, and the re-run reads the whole hour again. Lines the raw zone holds beyond
 *   `read` only because objects were written after the run started (`startedAt`: the sink wrote into
 *   the hour after the job listed it) are late data instead: the run passes with `lateLines`, and
 *   start-run's late-data re-run processes the hour again without spending one of its attempts.
 */
export async function reconcileRun(
  input: unknown,
  ports: ReconcilePorts,
  log: RunLog,
  retry: RetryOptions = DEFAULT_RETRY,
): Promise<ReconcileRunResult> {
  const { runId, rawPrefix, startedAt } = readInput(input);
  const where = ports.manifests.describe(runId);
  const call = <T>(doing: string, operation: () => Promise<T>): Promise<T> =>
    withRetry(doing, operation, {
      ...retry,
      onRetry: ({ attempt, delayMs, error }) =>
        log.warn(`retrying ${doing}`, { attempt, delayMs, error: error.message }),
    });
  const text = await call(`reading manifest ${where}`, () => ports.manifests.readManifest(runId));
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
  const rawWhere = ports.raw.describe(rawPrefix);
  const rawLines = await call(`counting the lines under ${rawWhere}`, () => ports.raw.countLines(rawPrefix));
  if (rawLines > counts.read && startedAt !== undefined) {
    // The sink may write into the hour after the job listed it: such lines are late data, not a
    // failure of this run. start-run claimed the hour before the execution started, so these
    // objects changed the hour's raw snapshot, and its next tick re-runs the whole hour.
    const late = await call(
      `counting the lines written under ${rawWhere} since ${startedAt.toISOString()}`,
      () => ports.raw.countLinesWrittenSince(rawPrefix, startedAt),
    );
    const before = rawLines - late.lines;
    if (before <= counts.read) {
      const lateLines = rawLines - counts.read;
      log.warn(
        'objects were written into the hour after the run started; the late-data re-run processes them',
        {
          runId,
          lateLines,
          lateObjects: late.objects,
          startedAt: startedAt.toISOString(),
        },
      );
      return { runId, rawLines, lateLines, ...counts };
    }
  }
  if (rawLines !== counts.read) {
    const why =
      rawLines > counts.read
        ? 'lines the job did not read (objects written into the hour after the job listed it, or objects it skipped)'
        : 'fewer lines than the job read (raw objects deleted or replaced since, or a manifest of another input)';
    throw new ReconciliationError(
      `run ${runId}: the raw zone holds ${rawLines} non-blank lines under ${rawWhere} but the job read ${counts.read} (${where}): ` +
        `${why}; the warehouse load was not started and start-run re-runs the whole hour`,
    );
  }
  log.info('run reconciled', { runId, rawLines, ...counts });
  return { runId, rawLines, lateLines: 0, ...counts };
}

function readInput(input: unknown): ReconcileRunInput {
  const runId = readRunId(input);
  const rawPrefix = (input as Record<string, unknown>).rawPrefix;
  if (typeof rawPrefix !== 'string' || !RAW_PREFIX.test(rawPrefix)) {
    throw new PermanentError(
      `reconcile-run needs {"rawPrefix": "${RAW_HOUR_PREFIX_EXAMPLE}"} (the run input's rawPrefix), got ${JSON.stringify(rawPrefix)?.slice(0, 200)}`,
    );
  }
  const startedAt = readStartedAt((input as Record<string, unknown>).startedAt);
  return { runId, rawPrefix, ...(startedAt !== undefined ? { startedAt } : {}) };
}

function readStartedAt(value: unknown): Date | undefined {
  if (value === undefined) return undefined;
  const instant = typeof value === 'string' ? new Date(value) : undefined;
  if (instant === undefined || Number.isNaN(instant.getTime())) {
    throw new PermanentError(
      `reconcile-run: "startedAt" must be the execution's start time as ISO-8601 ($$.Execution.StartTime), got ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
  return instant;
}

function readRunId(input: unknown): string {
  const runId =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>).runId : undefined;
  if (typeof runId !== 'string' || !RUN_ID_PATTERN.test(runId)) {
    throw new PermanentError(
      `reconcile-run needs {"runId": "run-YYYY-MM-DDTHH"}, got ${JSON.stringify(input)?.slice(0, 200)}`,
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
