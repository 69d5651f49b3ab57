import { randomUUID } from 'node:crypto';
import { PermanentError } from '../shared/errors';
import type { RunLog } from '../shared/log';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../shared/retry';
import { executionNameOf, RUN_ID_PATTERN, type RunInput, runIdOfWindow } from '../shared/run-input';
import {
  hourReadiness,
  readSinkWatermarks,
  SINK_WATERMARK_PREFIX,
  type SinkWatermarkObject,
  type SinkWatermarks,
} from './sink-watermarks';
import { closedWindows, type HourWindow, isClosed, parseWindowId } from './windows';

/** Where an hour's latest run stands in the runs ledger. */
export type RunStatus = 'CLAIMED' | 'STARTED' | 'SUCCEEDED' | 'FAILED';

/** Why an attempt was started (recorded in the ledger and the report). */
export type RunReason = 'new-hour' | 'late-data' | 'retry' | 'backfill';

/**
 * What the hour's raw prefix held when a run was claimed: its non-empty objects, their bytes and a
 * fingerprint of their keys and sizes. The sink never changes an object it wrote (a replay rewrites
 * the same records under the same key), so a different snapshot later means objects were added.
 */
export interface RawSnapshot {
  readonly objects: number;
  readonly bytes: number;
  readonly fingerprint: string;
}

/** The ledger's record of one hour (DynamoDB item keyed by the hour's run id): its latest attempt. */
export interface HourRun {
  readonly runId: string;
  readonly window: string;
  readonly attempt: number;
  readonly executionName: string;
  readonly status: RunStatus;
  /** Failed attempts in a row since the hour last succeeded. */
  readonly failedAttempts: number;
  /** The raw prefix at the claim of the latest attempt; absent on records older than this field. */
  readonly raw?: RawSnapshot;
}

/** A claim of one attempt at an hour, written once to the runs ledger (DynamoDB on AWS). */
export interface RunClaim {
  readonly runId: string;
  readonly window: string;
  readonly rawPrefix: string;
  readonly attempt: number;
  readonly executionName: string;
  readonly reason: RunReason;
  /** ISO-8601 time of the claim. */
  readonly claimedAt: string;
  /** Epoch seconds after which the ledger may forget the hour (DynamoDB TTL). */
  readonly expiresAt: number;
  readonly raw: RawSnapshot;
  /** Failed attempts in a row before this one (kept, so a failing backfill still counts). */
  readonly failedAttempts: number;
}

export type ClaimResult =
  | { readonly outcome: 'claimed' }
  /**
   * This attempt (or a later one) was claimed before. `STARTED` means the execution is known to
   * exist; `attempt` is the attempt the ledger holds.
   */
  | { readonly outcome: 'exists'; readonly status: RunStatus; readonly attempt: number };

export type StartResult =
  | { readonly outcome: 'started'; readonly executionArn: string }
  /** An execution with this name already exists (Step Functions keeps names unique for 90 days). */
  | { readonly outcome: 'already-exists' };

/** How an execution ended; `MISSING` when Step Functions does not know it (never started, or expired). */
export type ExecutionState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'MISSING';

/**
 * A request for start-run's single-flight lease: one item of the runs ledger under
 * START_RUN_LEASE_KEY, taken only if it is absent or its `expiresAt` has passed.
 */
export interface LeaseRequest {
  /** Unique per invocation; only this holder may release the lease. */
  readonly holder: string;
  /** Epoch seconds by the holder's wall clock: a lease whose expiry is before this has lapsed. */
  readonly now: number;
  /** Epoch seconds at which the lease lapses (also the DynamoDB TTL of the item). */
  readonly expiresAt: number;
}

export type LeaseResult =
  | { readonly outcome: 'acquired' }
  /** Another invocation holds a lease that has not lapsed yet. */
  | { readonly outcome: 'held'; readonly holder: string; readonly expiresAt: number };

/**
 * The ledger key of start-run's lease. Run ids match RUN_ID_PATTERN (`run-...`), so it never
 * names an hour; the IAM policy allows DeleteItem on this key only (dynamodb:LeadingKeys).
 */
export const START_RUN_LEASE_KEY = 'lock#start-run';

/** The start-run function's timeout (lib/orchestration/orchestration-run-trigger.ts): a tick takes seconds. */
export const START_RUN_TIMEOUT_SECONDS = 120;

/**
 * Seconds a lease outlives the invocation's deadline: covers the clock difference between two
 * invocations. Lambda stops an invocation at its timeout, so a holder never outlives its lease.
 */
export const LEASE_MARGIN_SECONDS = 30;

/** What start-run needs from the outside world; AWS adapters in aws-ports.ts, local ones in the twin. */
export interface RunStarter {
  /** Takes the single-flight lease (see LeaseRequest); never takes it from a holder whose lease is live. */
  acquireLease(request: LeaseRequest): Promise<LeaseResult>;
  /** Gives the lease up, only if `holder` still holds it (a lapsed lease may have been taken over). */
  releaseLease(holder: string): Promise<void>;
  /** The id (ARN) of a run that is still in progress, if any. */
  runInProgress(): Promise<string | undefined>;
  /** True when the raw zone holds at least one non-empty object under `rawPrefix`. */
  hasRawData(rawPrefix: string): Promise<boolean>;
  /** Every non-empty object under `rawPrefix`, summed up (RawSnapshot). */
  rawSnapshot(rawPrefix: string): Promise<RawSnapshot>;
  /** Every watermark object the S3 sink wrote (under SINK_WATERMARK_PREFIX); none from a sink older than them. */
  sinkWatermarks(): Promise<SinkWatermarkObject[]>;
  /** The hour's ledger record, if it has one. */
  readRun(runId: string): Promise<HourRun | undefined>;
  /**
   * Conditionally records the claim: attempt 1 only if the hour has no record, attempt n only if
   * the record holds attempt n-1 and it has ended. Never overwrites another claim.
   */
  claimRun(claim: RunClaim): Promise<ClaimResult>;
  /** Starts the run's execution, named `input.executionName`. */
  startExecution(input: RunInput): Promise<StartResult>;
  /** Records that the execution exists (so redeliveries stop at the ledger). */
  markStarted(runId: string, executionArn: string | undefined): Promise<void>;
  /** How the execution named `executionName` stands. */
  executionState(executionName: string): Promise<ExecutionState>;
  /**
   * Records how the hour's attempt `attempt` ended (only while the ledger still holds that
   * attempt as STARTED): SUCCEEDED resets the failed-attempt count, FAILED adds one.
   */
  recordOutcome(
    runId: string,
    attempt: number,
    outcome: 'SUCCEEDED' | 'FAILED',
    detail: string,
  ): Promise<void>;
}

/**
 * StartRunSettings.maxRunAttempts: its range, shared by the handler (MAX_RUN_ATTEMPTS) and the
 * stage setting that sets it (`orchestration.maxRunAttempts`, whose default lives in
 * lib/config/stage-settings.ts). 1 turns automatic retries off.
 */
export const MAX_RUN_ATTEMPTS = { min: 1, max: 10 } as const;

export interface StartRunSettings {
  /** Closed hours examined on each tick, so missed, failed or late-fed hours are caught up. */
  readonly lookbackHours: number;
  /**
   * The longest wait for the S3 sink, in minutes after the end of an hour: an hour runs as soon as
   * every partition's sink watermark has passed its end, and at the latest this long after it
   * (sink-watermarks.ts, hourReadiness). Without watermarks, the only rule.
   */
  readonly closeDelayMinutes: number;
  /** Days the ledger keeps an hour's record; longer than the 90 days Step Functions keeps execution names. */
  readonly claimTtlDays: number;
  /** Attempts in a row that may fail before an hour is left for a human (and the alarm fires). */
  readonly maxRunAttempts: number;
  /**
   * Seconds the single-flight lease lasts: at least the time the invocation may still run (on
   * Lambda, its remaining time plus LEASE_MARGIN_SECONDS), so no holder outlives its lease.
   */
  readonly leaseSeconds: number;
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

/**
 * A manual backfill: `{ "window": "2024-05-01T13" }` runs an hour that has no run yet;
 * `attempt` >= 2 deliberately re-runs it (the next attempt after the ledger's latest), also after
 * the automatic retries ran out.
 */
export interface BackfillEvent {
  readonly window: string;
  readonly attempt?: number;
}

export type StartRunEvent = TickEvent | BackfillEvent;

export type WindowOutcome =
  /** No raw data for the hour (yet). */
  | 'no-data'
  /** An attempt was started by this invocation. */
  | 'started'
  /** The requested attempt already exists (redelivered event, duplicate backfill). */
  | 'already-started'
  /** The hour's latest run succeeded and its raw prefix has not changed since. */
  | 'done'
  /** The hour's latest `maxRunAttempts` attempts failed: left for a human, counted by the alarm. */
  | 'out-of-attempts'
  /** The hour's execution is still running. */
  | 'running';

export interface WindowReport {
  readonly window: string;
  readonly runId: string;
  readonly outcome: WindowOutcome;
  readonly attempt?: number;
  readonly reason?: RunReason;
  readonly executionArn?: string;
}

export interface StartRunReport {
  readonly trigger: 'schedule' | 'run-finished' | 'backfill';
  /** Set when nothing was examined because a run is still in progress. */
  readonly busyWith?: string;
  /** Set when nothing was examined because another start-run invocation holds the lease. */
  readonly leaseHeldBy?: string;
  /** The windows examined, oldest first: acted on up to the one started, looked at after it. */
  readonly windows: WindowReport[];
  /**
   * Hours that have ended but wait for the S3 sink (some partition's watermark is before their end)
   * and whose close delay has not passed yet; not examined on this tick.
   */
  readonly waitingForSink?: readonly HourWaitingForSink[];
}

export interface HourWaitingForSink {
  readonly window: string;
  /** `<topic>-<partition> (...)` of each partition that had not flushed the hour. */
  readonly behind: readonly string[];
}

/** Execution names stay far below Step Functions' 80 characters up to this attempt number. */
const MAX_ATTEMPT_NUMBER = 9999;

type Call = <T>(doing: string, operation: () => Promise<T>) => Promise<T>;

/**
 * Starts the next pipeline run: for the oldest closed hour in the look-back that needs one.
 * An hour needs a run when it has raw data and no run yet (`new-hour`), when its latest run
 * failed and fewer than `maxRunAttempts` attempts in a row failed (`retry`), or when its latest
 * run succeeded but objects were added to its raw prefix since that run was claimed (`late-data`).
 * Every re-run processes the whole hour under the same run id, which replaces what the earlier
 * attempts wrote (processed files, quarantine folder, manifest; the warehouse load mirrors the
 * dates), so the result is the same as one run over all of the hour's lines.
 *
 * How a run ended is learnt here, from Step Functions (DescribeExecution), the next time the hour
 * is examined, and written to the ledger; nothing in the run itself has to report back, so a run
 * that was aborted or timed out is handled like a failed one.
 *
 * One run at a time: the ATM job's duplicate check against processed data
 * assumes no other run writes concurrently (spark-jobs/bankpipe/job.py), so a
 * tick during a run does nothing, and the run's end (a Step Functions status
 * change event) triggers the next tick to catch up without waiting for the
 * schedule. "Is a run in progress?" (ListExecutions) and "start" must not
 * interleave between two invocations, so each invocation first takes a lease
 * in the runs ledger (a conditional write on START_RUN_LEASE_KEY) and gives it
 * up at the end; an invocation that finds the lease held does nothing (the
 * holder is examining the same hours; a run-finished event refused in the
 * moment after the holder saw that run still RUNNING waits for the next
 * scheduled tick). This holds with or without a reserved
 * concurrency of 1. The lease serialises start-run only: whether a run is in
 * progress is still Step Functions' answer, and an execution started under the
 * lease is RUNNING for the next holder.
 *
 * Idempotency has two layers, because either write can be redelivered or
 * interrupted: the ledger claim (conditional write on the hour and attempt) stops repeated
 * events cheaply, and the execution name (run id + attempt) makes Step Functions itself
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
  const call: Call = (doing, operation) =>
    withRetry(doing, operation, {
      ...retry,
      onRetry: ({ attempt, delayMs, error }) =>
        log.warn(`retrying ${doing}`, { attempt, delayMs, error: error.message }),
    });

  const request = windowsFor(event, now, settings);
  const { trigger, windows } = request;

  // The lease runs on the wall clock, never on `now`: the twin replays past hours with an earlier `now`.
  const holder = randomUUID();
  const nowSeconds = Math.floor(Date.now() / 1000);
  const lease = await call('taking the start-run lease', () =>
    ports.acquireLease({ holder, now: nowSeconds, expiresAt: nowSeconds + settings.leaseSeconds }),
  );
  if (lease.outcome === 'held') {
    const until = new Date(lease.expiresAt * 1000).toISOString();
    if (trigger === 'backfill') {
      throw new PermanentError(
        `backfill of window ${windows[0].id}: another start-run invocation (${lease.holder}) is examining the hours; retry in a minute (its lease lapses at ${until} at the latest)`,
      );
    }
    log.info('another start-run invocation holds the lease and examines the same hours; nothing to do', {
      leaseHeldBy: lease.holder,
      until,
    });
    return { trigger, leaseHeldBy: lease.holder, windows: [] };
  }
  try {
    return await examineUnderLease(request, now, ports, settings, call, log);
  } finally {
    // A release that fails leaves the lease to lapse; it must not hide the outcome of the tick.
    await call('giving up the start-run lease', () => ports.releaseLease(holder)).catch((error: unknown) =>
      log.warn('could not give up the start-run lease; it lapses by itself', {
        error: (error as Error).message,
        leaseSeconds: settings.leaseSeconds,
      }),
    );
  }
}

/** What one invocation does while it holds the lease. */
async function examineUnderLease(
  request: ReturnType<typeof windowsFor>,
  now: Date,
  ports: RunStarter,
  settings: StartRunSettings,
  call: Call,
  log: RunLog,
): Promise<StartRunReport> {
  const { trigger, windows } = request;
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

  const watermarks = readSinkWatermarks(
    await call('reading the S3 sink watermarks', () => ports.sinkWatermarks()),
  );
  warnAboutWatermarks(watermarks, log);
  const hours = new HourExaminer(now, ports, settings, call, log);
  if (trigger === 'backfill') {
    const window = windows[0];
    const readiness = hourReadiness(window, watermarks, now, settings.closeDelayMinutes);
    if (!readiness.ready) {
      throw new PermanentError(
        `backfill of window ${window.id}: the hour has not closed yet: the S3 sink has not flushed it (${readiness.behind.join(', ')}) and its close delay (${settings.closeDelayMinutes} min after its end) has not passed; wait or pick an earlier hour`,
      );
    }
    return { trigger, windows: [await hours.backfill(window, request.attempt)] };
  }

  // Hours within their close delay run only once the sink has flushed them.
  const waitingForSink: HourWaitingForSink[] = [];
  const flushed = request.flushPending.filter((window) => {
    const readiness = hourReadiness(window, watermarks, request.at, settings.closeDelayMinutes);
    if (!readiness.ready) waitingForSink.push({ window: window.id, behind: readiness.behind });
    return readiness.ready;
  });
  if (waitingForSink.length > 0) {
    log.info('hours that ended but wait for the S3 sink to flush them', { hours: waitingForSink });
  }
  const reports: WindowReport[] = [];
  let acted = false;
  for (const window of [...windows, ...flushed]) {
    if (acted) {
      // One run at a time: the hours after the one started are only looked at, so that an hour
      // out of attempts is still reported (and counted by the alarm) on this tick.
      const report = await hours.look(window);
      if (report !== undefined) reports.push(report);
      continue;
    }
    const report = await hours.examine(window);
    reports.push(report);
    acted = report.outcome === 'started' || report.outcome === 'running';
  }
  const waiting = reports.filter((r) => r.outcome === 'no-data').map((r) => r.window);
  if (waiting.length > 0) log.info('closed hours without raw data (yet)', { windows: waiting });
  const givenUp = reports.filter((r) => r.outcome === 'out-of-attempts').map((r) => r.window);
  if (givenUp.length > 0) {
    log.warn(
      `hours whose last ${settings.maxRunAttempts} attempts failed; fix the cause, then backfill them with the next attempt`,
      { windows: givenUp },
    );
  }
  warnAboutUnflushedStarts(reports, [...windows, ...flushed], watermarks, request.at, settings, log);
  return { trigger, windows: reports, ...(waitingForSink.length > 0 ? { waitingForSink } : {}) };
}

/** Once per invocation: no watermark at all (a sink older than watermarks), or unreadable ones. */
function warnAboutWatermarks(watermarks: SinkWatermarks, log: RunLog): void {
  if (watermarks.marks.length === 0 && watermarks.unreadable.length === 0) {
    log.warn(
      `no S3 sink watermark under ${SINK_WATERMARK_PREFIX}: hours close by the close delay alone; deploy the sink plugin that writes watermarks`,
    );
  }
  if (watermarks.unreadable.length > 0) {
    log.warn('unreadable S3 sink watermarks hold their partitions back until the close delay', {
      unreadable: watermarks.unreadable,
    });
  }
}

/** An hour started after its close delay although the sink had not flushed it: say which partitions lagged. */
function warnAboutUnflushedStarts(
  reports: readonly WindowReport[],
  windows: readonly HourWindow[],
  watermarks: SinkWatermarks,
  at: Date,
  settings: StartRunSettings,
  log: RunLog,
): void {
  if (watermarks.marks.length === 0) return; // said once already
  for (const report of reports.filter((r) => r.outcome === 'started')) {
    const window = windows.find((w) => w.id === report.window);
    if (window === undefined) continue;
    const readiness = hourReadiness(window, watermarks, at, settings.closeDelayMinutes);
    if (readiness.ready && readiness.by === 'close-delay' && readiness.behind.length > 0) {
      log.warn(
        'hour started after its close delay although the S3 sink had not flushed it; objects it writes later make start-run re-run the hour',
        { window: window.id, behind: readiness.behind },
      );
    }
  }
}

/** The per-hour decisions of one invocation. */
class HourExaminer {
  constructor(
    private readonly now: Date,
    private readonly ports: RunStarter,
    private readonly settings: StartRunSettings,
    private readonly call: Call,
    private readonly log: RunLog,
  ) {}

  /** The scheduled path: start whatever the hour needs, if anything. */
  async examine(window: HourWindow): Promise<WindowReport> {
    const runId = runIdOfWindow(window.id);
    const recorded = await this.call(`reading the ledger of ${runId}`, () => this.ports.readRun(runId));
    if (recorded === undefined) {
      const hasData = await this.call(`listing raw prefix ${window.rawPrefix}`, () =>
        this.ports.hasRawData(window.rawPrefix),
      );
      if (!hasData) return { window: window.id, runId, outcome: 'no-data' };
      return this.start(window, 1, 'new-hour', 0);
    }
    if (recorded.status === 'CLAIMED') return this.completeStart(window, recorded);
    const run = await this.settle(recorded);
    if (run === 'running') {
      return { window: window.id, runId, attempt: recorded.attempt, outcome: 'running' };
    }
    if (run.status === 'FAILED') {
      if (run.failedAttempts >= this.settings.maxRunAttempts) {
        return { window: window.id, runId, attempt: run.attempt, outcome: 'out-of-attempts' };
      }
      return this.start(window, run.attempt + 1, 'retry', run.failedAttempts);
    }
    // SUCCEEDED: re-run when objects were added to the hour after its run was claimed.
    if (run.raw === undefined) return { window: window.id, runId, attempt: run.attempt, outcome: 'done' };
    const raw = await this.call(`listing raw prefix ${window.rawPrefix}`, () =>
      this.ports.rawSnapshot(window.rawPrefix),
    );
    if (sameSnapshot(raw, run.raw))
      return { window: window.id, runId, attempt: run.attempt, outcome: 'done' };
    this.log.info('objects were added to an hour after its run was claimed; re-running the whole hour', {
      runId,
      claimed: run.raw,
      now: raw,
    });
    return this.start(window, run.attempt + 1, 'late-data', 0, raw);
  }

  /** An hour after the one started: reported only when it is out of attempts. */
  async look(window: HourWindow): Promise<WindowReport | undefined> {
    const runId = runIdOfWindow(window.id);
    const run = await this.call(`reading the ledger of ${runId}`, () => this.ports.readRun(runId));
    if (run?.status === 'FAILED' && run.failedAttempts >= this.settings.maxRunAttempts) {
      return { window: window.id, runId, attempt: run.attempt, outcome: 'out-of-attempts' };
    }
    return undefined;
  }

  /** A manual backfill of attempt `attempt` of one hour. */
  async backfill(window: HourWindow, attempt: number): Promise<WindowReport> {
    const runId = runIdOfWindow(window.id);
    const recorded = await this.call(`reading the ledger of ${runId}`, () => this.ports.readRun(runId));
    const fix = `backfill of window ${window.id}`;
    if (recorded === undefined || attempt === 1) {
      if (attempt > 1) {
        throw new PermanentError(
          `${fix}: the hour has no run yet, so attempt ${attempt} cannot follow one; backfill it without "attempt"`,
        );
      }
      const hasData = await this.call(`listing raw prefix ${window.rawPrefix}`, () =>
        this.ports.hasRawData(window.rawPrefix),
      );
      if (!hasData) {
        throw new PermanentError(
          `${fix}: no raw data under ${window.rawPrefix}; check the window (UTC) and that the S3 sink has written it`,
        );
      }
      if (recorded !== undefined) return { window: window.id, runId, attempt: 1, outcome: 'already-started' };
      return this.start(window, 1, 'backfill', 0);
    }
    if (recorded.attempt >= attempt) {
      if (recorded.attempt === attempt && recorded.status === 'CLAIMED')
        return this.completeStart(window, recorded);
      return { window: window.id, runId, attempt, outcome: 'already-started' };
    }
    if (recorded.attempt !== attempt - 1) {
      throw new PermanentError(
        `${fix}: the ledger holds attempt ${recorded.attempt}, so the next attempt is ${recorded.attempt + 1}, not ${attempt}`,
      );
    }
    if (recorded.status === 'CLAIMED') {
      throw new PermanentError(
        `${fix}: attempt ${recorded.attempt} was claimed but not started yet; the next tick starts it, backfill after it has ended`,
      );
    }
    const run = await this.settle(recorded);
    if (run === 'running') {
      throw new PermanentError(
        `${fix}: attempt ${recorded.attempt} is still running; retry when it has finished`,
      );
    }
    return this.start(window, attempt, 'backfill', run.failedAttempts);
  }

  /** Resolves a STARTED record to how its execution ended, writing the outcome to the ledger. */
  private async settle(run: HourRun): Promise<HourRun | 'running'> {
    if (run.status !== 'STARTED') return run;
    const state = await this.call(`describing execution ${run.executionName}`, () =>
      this.ports.executionState(run.executionName),
    );
    if (state === 'RUNNING') return 'running';
    const outcome = state === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED';
    const detail = `execution ${run.executionName} ${state}`;
    await this.call(`recording the outcome of ${run.executionName}`, () =>
      this.ports.recordOutcome(run.runId, run.attempt, outcome, detail),
    );
    const failedAttempts = outcome === 'FAILED' ? run.failedAttempts + 1 : 0;
    if (outcome === 'FAILED') {
      this.log.warn('run attempt failed', {
        runId: run.runId,
        attempt: run.attempt,
        state,
        failedAttempts,
        maxRunAttempts: this.settings.maxRunAttempts,
      });
    }
    return { ...run, status: outcome, failedAttempts };
  }

  private async start(
    window: HourWindow,
    attempt: number,
    reason: RunReason,
    failedAttempts: number,
    knownRaw?: RawSnapshot,
  ): Promise<WindowReport> {
    const runId = runIdOfWindow(window.id);
    const executionName = executionNameFor(window, attempt);
    const raw =
      knownRaw ??
      (await this.call(`listing raw prefix ${window.rawPrefix}`, () =>
        this.ports.rawSnapshot(window.rawPrefix),
      ));
    const claim: RunClaim = {
      runId,
      window: window.id,
      rawPrefix: window.rawPrefix,
      attempt,
      executionName,
      reason,
      claimedAt: this.now.toISOString(),
      expiresAt: Math.floor(this.now.getTime() / 1000) + this.settings.claimTtlDays * 86_400,
      raw,
      failedAttempts,
    };
    const claimed = await this.call(`claiming ${executionName}`, () => this.ports.claimRun(claim));
    if (claimed.outcome === 'exists') {
      if (claimed.attempt === attempt && claimed.status === 'CLAIMED') {
        return this.completeStart(window, { runId, attempt, executionName });
      }
      return { window: window.id, runId, attempt, outcome: 'already-started' };
    }
    return this.execute(window, { runId, attempt, executionName }, reason);
  }

  /** A claim whose start was never confirmed (the function died between the two calls). */
  private completeStart(
    window: HourWindow,
    run: Pick<HourRun, 'runId' | 'attempt' | 'executionName'>,
  ): Promise<WindowReport> {
    this.log.warn(
      'run was claimed but its start was never confirmed; starting it now (the execution name keeps this idempotent)',
      { runId: run.runId, executionName: run.executionName },
    );
    return this.execute(window, run);
  }

  private async execute(
    window: HourWindow,
    run: Pick<HourRun, 'runId' | 'attempt' | 'executionName'>,
    reason?: RunReason,
  ): Promise<WindowReport> {
    const { runId, attempt, executionName } = run;
    const input: RunInput = { runId, attempt, executionName, rawPrefix: window.rawPrefix, window: window.id };
    const started = await this.call(`starting execution ${executionName}`, () =>
      this.ports.startExecution(input),
    );
    const executionArn = started.outcome === 'started' ? started.executionArn : undefined;
    await this.call(`recording the start of ${executionName}`, () =>
      this.ports.markStarted(runId, executionArn),
    );

    if (started.outcome === 'already-exists') {
      this.log.info('execution already exists for this run; duplicate request ignored', { executionName });
      return { window: window.id, runId, attempt, outcome: 'already-started' };
    }
    this.log.info('run started', { runId, attempt, reason, window: window.id, executionArn });
    return { window: window.id, runId, attempt, reason, outcome: 'started', executionArn };
  }
}

function sameSnapshot(a: RawSnapshot, b: RawSnapshot): boolean {
  return a.objects === b.objects && a.bytes === b.bytes && a.fingerprint === b.fingerprint;
}

function windowsFor(
  event: unknown,
  now: Date,
  settings: StartRunSettings,
): {
  trigger: StartRunReport['trigger'];
  /** Hours closed by the close delay, oldest first (a backfill: the one hour). */
  windows: HourWindow[];
  /** Hours that have ended but are within their close delay, oldest first: they run once flushed. */
  flushPending: HourWindow[];
  /** The instant the hours are judged at: the tick's own time, the clock for a backfill. */
  at: Date;
  attempt: number;
} {
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
    const flushPending = closedWindows(happenedAt, 0, settings.lookbackHours)
      .filter((window) => !isClosed(window, happenedAt, settings.closeDelayMinutes))
      .reverse();
    const trigger = event.source === 'aws.states' ? 'run-finished' : 'schedule';
    return { trigger, windows, flushPending, at: happenedAt, attempt: 1 };
  }
  if (isBackfillEvent(event)) {
    const window = parseWindowId(event.window);
    // Whether the sink has flushed an hour within its close delay is decided under the lease.
    if (!isClosed(window, now, 0)) {
      throw new PermanentError(
        `backfill of window ${window.id}: the hour has not closed yet (it has not even ended; it closes once the S3 sink has flushed it, ${settings.closeDelayMinutes} min after its end at the latest); wait or pick an earlier hour`,
      );
    }
    const attempt = event.attempt ?? 1;
    if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_ATTEMPT_NUMBER) {
      throw new PermanentError(
        `backfill of window ${window.id}: attempt ${JSON.stringify(event.attempt)} must be a whole number from 1 to ${MAX_ATTEMPT_NUMBER}`,
      );
    }
    return { trigger: 'backfill', windows: [window], flushPending: [], at: now, attempt };
  }
  throw new PermanentError(
    `unrecognised event ${truncate(JSON.stringify(event))}: expected an EventBridge "Scheduled Event", a Step Functions status change, or a backfill like {"window":"2024-05-01T13"}`,
  );
}

/** The execution name of an attempt at the hour: `run-<window>`, then `run-<window>-a<attempt>`. */
export function executionNameFor(window: HourWindow, attempt: number): string {
  const name = executionNameOf(runIdOfWindow(window.id), attempt);
  if (!RUN_ID_PATTERN.test(name)) throw new PermanentError(`execution name ${name} is not valid`);
  return name;
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
