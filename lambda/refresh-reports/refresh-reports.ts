import { PermanentError } from '../shared/errors';
import type { RunLog } from '../shared/log';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../shared/retry';
import { RUN_ID_PATTERN } from '../shared/run-input';

/** Status of a submitted SQL statement (Redshift Data API states). */
export interface StatementStatus {
  /** SUBMITTED, PICKED, STARTED, FINISHED, FAILED, ABORTED. */
  readonly state: string;
  readonly error?: string;
}

/** Runs SQL asynchronously: the Redshift Data API on AWS, PostgreSQL in the local twin. */
export interface StatementRunner {
  /** Submits one statement; `clientToken` makes a resubmission after a retry return the same statement. */
  submit(sql: string, clientToken: string): Promise<string>;
  describe(statementId: string): Promise<StatementStatus>;
}

export interface RefreshReportsSettings {
  /** Materialized views to refresh, `schema.name`, in dependency order. */
  readonly views: readonly string[];
  /** Pause between status checks within one invocation. */
  readonly pollIntervalMs: number;
  /** Invocations after which a refresh still running fails the run. */
  readonly maxInvocations: number;
  readonly retry?: RetryOptions;
}

/** Time left in this invocation and a way to wait (Lambda context and setTimeout on AWS). */
export interface InvocationClock {
  timeLeftMs(): number;
  sleep(ms: number): Promise<void>;
}

/** State carried between invocations by the state machine's loop. */
export interface RefreshReportsInput {
  readonly runId: string;
  /** Index of the view being refreshed (0 on the first call). */
  readonly viewIndex?: number;
  /** Statement refreshing that view, once submitted (null before). */
  readonly statementId?: string | null;
  readonly invocations?: number;
}

export interface RefreshReportsResult {
  readonly runId: string;
  readonly done: boolean;
  readonly viewIndex: number;
  /** Always present (null when no statement is pending) so the state machine can copy it by path. */
  readonly statementId: string | null;
  readonly invocations: number;
  readonly refreshed: string[];
}

export class ReportRefreshError extends PermanentError {
  override readonly name = 'ReportRefreshError';
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,126}\.[a-z_][a-z0-9_]{0,126}$/;
/** Leave this much of the invocation for returning the state to Step Functions. */
const SAFETY_MARGIN_MS = 10_000;

/**
 * Refreshes the reporting materialized views after the warehouse load, one at a
 * time and in order (a view may read another). `REFRESH MATERIALIZED VIEW` runs
 * as a transaction of its own on Redshift, so the views are not batched.
 *
 * The Data API is asynchronous: within one invocation this polls until the
 * refreshes finish or the invocation nears its timeout, then returns
 * `done: false` with its position; the state machine waits and calls again.
 * No refresh is ever submitted twice for a run: the client token is
 * `<runId>-<viewIndex>`.
 */
export async function refreshReports(
  input: unknown,
  runner: StatementRunner,
  clock: InvocationClock,
  settings: RefreshReportsSettings,
  log: RunLog,
): Promise<RefreshReportsResult> {
  const views = settings.views.map((view) => {
    if (!IDENTIFIER.test(view)) {
      throw new PermanentError(
        `refresh-reports: ${JSON.stringify(view)} is not a lower-case schema.name identifier; fix REPORT_VIEWS`,
      );
    }
    return view;
  });
  const state = readInput(input, views.length);
  const invocations = state.invocations + 1;
  const retry = settings.retry ?? DEFAULT_RETRY;
  const call = <T>(doing: string, operation: () => Promise<T>): Promise<T> =>
    withRetry(doing, operation, {
      ...retry,
      onRetry: ({ attempt, delayMs, error }) =>
        log.warn(`retrying ${doing}`, { attempt, delayMs, error: error.message }),
    });

  let viewIndex = state.viewIndex;
  let statementId = state.statementId;
  const refreshed: string[] = views.slice(0, viewIndex);
  while (viewIndex < views.length) {
    const view = views[viewIndex];
    if (statementId === undefined) {
      const token = `${state.runId}-${viewIndex}`;
      statementId = await call(`submitting refresh of ${view}`, () =>
        runner.submit(`REFRESH MATERIALIZED VIEW ${view}`, token),
      );
      log.info('refresh submitted', { view, statementId });
    }
    const id = statementId;
    const status = await call(`checking refresh of ${view}`, () => runner.describe(id));
    if (status.state === 'FINISHED') {
      refreshed.push(view);
      viewIndex += 1;
      statementId = undefined;
      continue;
    }
    if (status.state === 'FAILED' || status.state === 'ABORTED') {
      throw new ReportRefreshError(
        `refresh of ${view} ${status.state.toLowerCase()} (statement ${id})${status.error ? `: ${status.error}` : ''}; ` +
          'the load is committed, only the reports are stale; fix the view and refresh it by hand or re-run the window',
      );
    }
    if (clock.timeLeftMs() < settings.pollIntervalMs + SAFETY_MARGIN_MS) {
      if (invocations >= settings.maxInvocations) {
        throw new ReportRefreshError(
          `refresh of ${view} still ${status.state} after ${invocations} invocations (statement ${id}); ` +
            'the warehouse may be overloaded or the view far larger than usual',
        );
      }
      log.info('refresh still running; handing back to the state machine', {
        view,
        statementId: id,
        invocations,
      });
      return { runId: state.runId, done: false, viewIndex, statementId: id, invocations, refreshed };
    }
    await clock.sleep(settings.pollIntervalMs);
  }
  log.info('reports refreshed', { runId: state.runId, views: refreshed.length });
  return { runId: state.runId, done: true, viewIndex, statementId: null, invocations, refreshed };
}

function readInput(
  input: unknown,
  viewCount: number,
): { runId: string; viewIndex: number; statementId?: string; invocations: number } {
  const i = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const usage =
    'refresh-reports needs {"runId": "...", "viewIndex"?: n, "statementId"?: "...", "invocations"?: n}';
  if (typeof i.runId !== 'string' || !RUN_ID_PATTERN.test(i.runId)) {
    throw new PermanentError(`${usage}, got ${JSON.stringify(input)?.slice(0, 200)}`);
  }
  const whole = (name: string, max: number): number => {
    const value = i[name] ?? 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
      throw new PermanentError(
        `${usage}: ${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(i[name])}`,
      );
    }
    return value;
  };
  const statementId = i.statementId;
  if (statementId !== undefined && statementId !== null && typeof statementId !== 'string') {
    throw new PermanentError(`${usage}: statementId must be a string`);
  }
  return {
    runId: i.runId,
    viewIndex: whole('viewIndex', viewCount),
    statementId: typeof statementId === 'string' && statementId !== '' ? statementId : undefined,
    invocations: whole('invocations', 100_000),
  };
}
