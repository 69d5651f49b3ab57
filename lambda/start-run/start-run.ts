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
  /** The id (ARN) of a run that is still in progress, if any. */
  runInProgress(): Promise<string | undefined>;
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
  /** Closed hours examined on each tick, so missed or failed-to-start hours are caught up. */
  readonly lookbackHours: number;
  /** Minutes after the end of an hour before it counts as closed (time for the S3 sink to flush). */
  readonly closeDelayMinutes: number;
  /** Days the ledger keeps a claim; longer than the 90 days Step Functions keeps execution names. */
  readonly claimTtlDays: number;
  readonly retry?: RetryOptions;
}

/**
 * What makes start-run look for work: the EventBridge schedule, or the end of a
 * run (Step Functions status change), which starts the next waiting hour at once.
 */
export interface TickEvent {
  readonly source: 'aws.events' | 'aws.states';
  readonly 'detail-type': 'Scheduled Event' | 'Step Functions Execution Status Change';
  /** When the event happened; a redelivered event carries the same time. */
  readonly time: string;
}

/** A manual backfill: `{ "window": "2024-05-01T13" }`; `attempt` >= 2 deliberately re-runs a window. */
export interface BackfillEvent {
  readonly window: string;
  readonly attempt?: number;
}

export type StartRunEvent = TickEvent | BackfillEvent;

export type WindowOutcome = 'no-data' | 'started' | 'already-started';

export interface WindowReport {
  readonly window: string;
  readonly runId: string;
  readonly outcome: WindowOutcome;
  readonly executionArn?: string;
}

export interface StartRunReport {
  readonly trigger: 'schedule' | 'run-finished' | 'backfill';
  /** Set when nothing was examined because a run is still in progress. */
  readonly busyWith?: string;
  /** The windows examined, oldest first, up to the one started. */
  readonly windows: WindowReport[];
}

/**
 * Starts the next pipeline run: the oldest closed hour that has raw data and
 * no run yet.
 *
 * One run at a time: the ATM job's duplicate check against processed data
 * assumes no other run writes concurrently (spark-jobs/bankpipe/job.py), so a
 * tick during a run does nothing, and the run's end (a Step Functions status
 * change event) triggers the next tick to catch up without waiting for the
 * schedule. The function has a reserved concurrency of 1, so two ticks never
 * interleave between "is a run in progress?" and "start".
 *
 * Idempotency has two layers, because either write can be redelivered or
 * interrupted: the ledger claim (conditional put on the run id) stops repeated
 * events cheaply, and the execution name (= run id) makes Step Functions itself
 * refuse a second execution. A claim whose start was never confirmed (the
 * function died between the two calls) is completed by the next delivery
 * instead of blocking the hour forever.
 */
export async function startRuns(
  event: unknown,
  now: Date,
  ports: RunStarter,
  settings: StartRunSettings,
  log: RunLog,
): Promise<StartRunReport> {
  const retry = settings.retry ?? DEFAULT_RETRY;
  const call = <T>(doing: string, operation: () => Promise<T>): Promise<T> =>
    withRetry(doing, operation, {
      ...retry,
      onRetry: ({ attempt, delayMs, error }) =>
        log.warn(`retrying ${doing}`, { attempt, delayMs, error: error.message }),
    });

  const { trigger, windows, attempt } = windowsFor(event, now, settings);

  const busyWith = await call('checking for a run in progress', () => ports.runInProgress());
  if (busyWith !== undefined) {
    if (trigger === 'backfill') {
      throw new PermanentError(
        `backfill of window ${windows[0].id}: run ${busyWith} is still in progress and runs must not overlap; retry when it has finished`,
      );
    }
    log.info('a run is in progress; the next tick after it ends will continue', { busyWith });
    return { trigger, busyWith, windows: [] };
  }

  const reports: WindowReport[] = [];
  for (const window of windows) {
    const runId = runIdFor(window, attempt);
    const hasData = await call(`listing raw prefix ${window.rawPrefix}`, () =>
      ports.hasRawData(window.rawPrefix),
    );
    if (!hasData) {
      if (trigger === 'backfill') {
        throw new PermanentError(
          `backfill of window ${window.id}: no raw data under ${window.rawPrefix}; check the window (UTC) and that the S3 sink has written it`,
        );
      }
      reports.push({ window: window.id, runId, outcome: 'no-data' });
      continue;
    }
    const report = await startOne(window, runId, now, ports, settings, call, log);
    reports.push(report);
    if (report.outcome === 'started') break;
  }
  const waiting = reports.filter((r) => r.outcome === 'no-data').map((r) => r.window);
  if (waiting.length > 0) log.info('closed hours without raw data (yet)', { windows: waiting });
  return { trigger, windows: reports };
}

async function startOne(
  window: HourWindow,
  runId: string,
  now: Date,
  ports: RunStarter,
  settings: StartRunSettings,
  call: <T>(doing: string, operation: () => Promise<T>) => Promise<T>,
  log: RunLog,
): Promise<WindowReport> {
  const claim: RunClaim = {
    runId,
    window: window.id,
    rawPrefix: window.rawPrefix,
    claimedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + settings.claimTtlDays * 86_400,
  };
  const claimed = await call(`claiming run ${runId}`, () => ports.claimRun(claim));
  if (claimed.outcome === 'exists' && claimed.status === 'STARTED') {
    return { window: window.id, runId, outcome: 'already-started' };
  }
  if (claimed.outcome === 'exists') {
    log.warn(
      'run was claimed but its start was never confirmed; starting it now (the execution name keeps this idempotent)',
      { runId },
    );
  }

  const input: RunInput = { runId, rawPrefix: window.rawPrefix, window: window.id };
  const started = await call(`starting execution ${runId}`, () => ports.startExecution(input));
  const executionArn = started.outcome === 'started' ? started.executionArn : undefined;
  await call(`recording the start of ${runId}`, () => ports.markStarted(runId, executionArn));

  if (started.outcome === 'already-exists') {
    log.info('execution already exists for this run; duplicate request ignored', { runId });
    return { window: window.id, runId, outcome: 'already-started' };
  }
  log.info('run started', { runId, window: window.id, executionArn });
  return { window: window.id, runId, outcome: 'started', executionArn };
}

function windowsFor(
  event: unknown,
  now: Date,
  settings: StartRunSettings,
): { trigger: StartRunReport['trigger']; windows: HourWindow[]; attempt: number } {
  if (isTickEvent(event)) {
    const happenedAt = new Date(event.time);
    if (Number.isNaN(happenedAt.getTime())) {
      throw new PermanentError(
        `${event['detail-type']} event has an unreadable time ${JSON.stringify(event.time)}`,
      );
    }
    // The event's own time, not the clock: a redelivery then asks for the same hours.
    // Oldest first, so a backlog is worked off in order.
    const windows = closedWindows(happenedAt, settings.closeDelayMinutes, settings.lookbackHours).reverse();
    const trigger = event.source === 'aws.states' ? 'run-finished' : 'schedule';
    return { trigger, windows, attempt: 1 };
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
    `unrecognised event ${truncate(JSON.stringify(event))}: expected an EventBridge "Scheduled Event", a Step Functions status change, or a backfill like {"window":"2024-05-01T13"}`,
  );
}

/** `run-<window>` and, for a deliberate re-run, `run-<window>-a<attempt>`. */
export function runIdFor(window: HourWindow, attempt: number): string {
  const runId = attempt === 1 ? `run-${window.id}` : `run-${window.id}-a${attempt}`;
  if (!RUN_ID_PATTERN.test(runId)) throw new PermanentError(`run id ${runId} is not a valid execution name`);
  return runId;
}

function isTickEvent(event: unknown): event is TickEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  const scheduled = e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event';
  const runEnded = e.source === 'aws.states' && e['detail-type'] === 'Step Functions Execution Status Change';
  return (scheduled || runEnded) && typeof e.time === 'string';
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
