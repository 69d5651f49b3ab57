import { PermanentError } from '../shared/errors';
import type { RunLog } from '../shared/log';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../shared/retry';
import { RUN_ID_PATTERN, type RunInput } from '../shared/run-input';
import { closedWindows, type HourWindow, isClosed, parseWindowId } from './windows';

/** A claim on a run id, written once to the runs ledger (DynamoDB on AWS). */
export interface RunClaim {
  readonly runId: string;
  readonly window: string;
  readonly rawPrefix: string;
  /** ISO-8601 time of the claim. */
  readonly claimedAt: string;
  /** Epoch seconds after which the ledger may forget the claim (DynamoDB TTL). */
  readonly expiresAt: number;
}

export type ClaimResult =
  | { readonly outcome: 'claimed' }
  /** Someone claimed this run id before. `STARTED` means the execution is known to exist. */
  | { readonly outcome: 'exists'; readonly status: 'CLAIMED' | 'STARTED' };

export type StartResult =
  | { readonly outcome: 'started'; readonly executionArn: string }
  /** An execution with this name already exists (Step Functions keeps names unique for 90 days). */
  | { readonly outcome: 'already-exists' };

/** What start-run needs from the outside world; AWS adapters in aws-ports.ts, local ones in the twin. */
export interface RunStarter {
  /** True when the raw zone holds at least one non-empty object under `rawPrefix`. */
  hasRawData(rawPrefix: string): Promise<boolean>;
  /** Conditionally records the claim; never overwrites an existing one. */
  claimRun(claim: RunClaim): Promise<ClaimResult>;
  /** Starts the run's execution, named after the run id. */
  startExecution(input: RunInput): Promise<StartResult>;
  /** Records that the execution exists (so redeliveries stop at the ledger). */
  markStarted(runId: string, executionArn: string | undefined): Promise<void>;
}

export interface StartRunSettings {
  /** Closed hours examined on each scheduled invocation (the newest first). */
  readonly lookbackHours: number;
  /** Minutes after the end of an hour before it counts as closed. */
  readonly closeDelayMinutes: number;
  /** Days the ledger keeps a claim; longer than the 90 days Step Functions keeps execution names. */
  readonly claimTtlDays: number;
  readonly retry?: RetryOptions;
}

/** The scheduled event EventBridge sends (the fields we read). */
export interface ScheduledEvent {
  readonly source: 'aws.events';
  readonly 'detail-type': 'Scheduled Event';
  /** When the schedule fired; a redelivered event carries the same time. */
  readonly time: string;
}

/** A manual backfill: `{ "window": "2024-05-01T13" }`; `attempt` >= 2 deliberately re-runs a window. */
export interface BackfillEvent {
  readonly window: string;
  readonly attempt?: number;
}

export type StartRunEvent = ScheduledEvent | BackfillEvent;

export type WindowOutcome = 'no-data' | 'started' | 'already-started';

export interface WindowReport {
  readonly window: string;
  readonly runId: string;
  readonly outcome: WindowOutcome;
  readonly executionArn?: string;
}

export interface StartRunReport {
  readonly trigger: 'schedule' | 'backfill';
  readonly windows: WindowReport[];
}

/**
 * Starts one pipeline run per closed hour that has raw data and no run yet.
 *
 * Idempotency has two layers, because either write can be redelivered or
 * interrupted: the ledger claim (conditional put on the run id) stops repeated
 * events cheaply, and the execution name (= run id) makes Step Functions itself
 * refuse a second execution. A claim whose start was never confirmed (the
 * function died between the two calls) is completed by the next delivery
 * instead of blocking the window forever.
 */
export async function startRuns(
  event: unknown,
  now: Date,
  ports: RunStarter,
  settings: StartRunSettings,
  log: RunLog,
): Promise<StartRunReport> {
  const retry = settings.retry ?? DEFAULT_RETRY;
  const onRetry = (doing: string): RetryOptions => ({
    ...retry,
    onRetry: ({ attempt, delayMs, error }) =>
      log.warn(`retrying ${doing}`, { attempt, delayMs, error: error.message }),
  });

  const { trigger, windows, attempt } = windowsFor(event, now, settings);
  const reports: WindowReport[] = [];
  for (const window of windows) {
    const runId = runIdFor(window, attempt);
    const source = `raw prefix ${window.rawPrefix}`;
    const hasData = await withRetry(
      `listing ${source}`,
      () => ports.hasRawData(window.rawPrefix),
      onRetry(`listing ${source}`),
    );
    if (!hasData) {
      if (trigger === 'backfill') {
        throw new PermanentError(
          `backfill of window ${window.id}: no raw data under ${window.rawPrefix}; check the window (UTC) and that the S3 sink has written it`,
        );
      }
      log.info('no raw data for window yet; nothing to start', {
        window: window.id,
        rawPrefix: window.rawPrefix,
      });
      reports.push({ window: window.id, runId, outcome: 'no-data' });
      continue;
    }
    reports.push(await startOne(window, runId, now, ports, settings, onRetry, log));
  }
  return { trigger, windows: reports };
}

async function startOne(
  window: HourWindow,
  runId: string,
  now: Date,
  ports: RunStarter,
  settings: StartRunSettings,
  onRetry: (doing: string) => RetryOptions,
  log: RunLog,
): Promise<WindowReport> {
  const claim: RunClaim = {
    runId,
    window: window.id,
    rawPrefix: window.rawPrefix,
    claimedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + settings.claimTtlDays * 86_400,
  };
  const claimed = await withRetry(
    `claiming run ${runId}`,
    () => ports.claimRun(claim),
    onRetry(`claiming run ${runId}`),
  );
  if (claimed.outcome === 'exists' && claimed.status === 'STARTED') {
    log.info('run already started for this window; duplicate event ignored', { runId, window: window.id });
    return { window: window.id, runId, outcome: 'already-started' };
  }
  if (claimed.outcome === 'exists') {
    log.warn(
      'run was claimed but its start was never confirmed; starting it now (the execution name keeps this idempotent)',
      {
        runId,
      },
    );
  }

  const input: RunInput = { runId, rawPrefix: window.rawPrefix, window: window.id };
  const started = await withRetry(
    `starting execution ${runId}`,
    () => ports.startExecution(input),
    onRetry(`starting execution ${runId}`),
  );
  const executionArn = started.outcome === 'started' ? started.executionArn : undefined;
  await withRetry(
    `recording start of ${runId}`,
    () => ports.markStarted(runId, executionArn),
    onRetry(`recording start of ${runId}`),
  );

  if (started.outcome === 'already-exists') {
    log.info('execution already exists for this run; duplicate event ignored', { runId, window: window.id });
    return { window: window.id, runId, outcome: 'already-started' };
  }
  log.info('run started', { runId, window: window.id, executionArn });
  return { window: window.id, runId, outcome: 'started', executionArn };
}

function windowsFor(
  event: unknown,
  now: Date,
  settings: StartRunSettings,
): { trigger: 'schedule' | 'backfill'; windows: HourWindow[]; attempt: number } {
  if (isScheduledEvent(event)) {
    const firedAt = new Date(event.time);
    if (Number.isNaN(firedAt.getTime())) {
      throw new PermanentError(`scheduled event has an unreadable time ${JSON.stringify(event.time)}`);
    }
    // The event's own time, not the clock: a redelivery then asks for the same windows.
    return {
      trigger: 'schedule',
      windows: closedWindows(firedAt, settings.closeDelayMinutes, settings.lookbackHours),
      attempt: 1,
    };
  }
  if (isBackfillEvent(event)) {
    const window = parseWindowId(event.window);
    if (!isClosed(window, now, settings.closeDelayMinutes)) {
      throw new PermanentError(
        `backfill of window ${window.id}: the hour has not closed yet (it closes ${settings.closeDelayMinutes} min after its end); wait or pick an earlier hour`,
      );
    }
    const attempt = event.attempt ?? 1;
    if (!Number.isInteger(attempt) || attempt < 1 || attempt > 99) {
      throw new PermanentError(
        `backfill of window ${window.id}: attempt ${JSON.stringify(event.attempt)} must be a whole number from 1 to 99`,
      );
    }
    return { trigger: 'backfill', windows: [window], attempt };
  }
  throw new PermanentError(
    `unrecognised event ${truncate(JSON.stringify(event))}: expected an EventBridge "Scheduled Event" or a backfill like {"window":"2024-05-01T13"}`,
  );
}

/** `run-<window>` and, for a deliberate re-run, `run-<window>-a<attempt>`. */
export function runIdFor(window: HourWindow, attempt: number): string {
  const runId = attempt === 1 ? `run-${window.id}` : `run-${window.id}-a${attempt}`;
  if (!RUN_ID_PATTERN.test(runId)) throw new PermanentError(`run id ${runId} is not a valid execution name`);
  return runId;
}

function isScheduledEvent(event: unknown): event is ScheduledEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  return e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event' && typeof e.time === 'string';
}

function isBackfillEvent(event: unknown): event is BackfillEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    typeof (event as Record<string, unknown>).window === 'string'
  );
}

function truncate(text: string | undefined): string {
  if (text === undefined) return 'undefined';
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
