import type { SqlFileBatch, WarehouseTarget } from './schema-request';

/** What the Data API says about a submitted batch. */
export interface StatementState {
  /** SUBMITTED, PICKED, STARTED, FINISHED, FAILED or ABORTED. */
  readonly status: string;
  /** Redshift's error message when the batch failed. */
  readonly error?: string;
  /** The statement of the batch that failed, when the Data API says which. */
  readonly failedStatement?: string;
}

/** The two Data API calls the runner needs; the AWS client adapter is in redshift-data-runner.ts. */
export interface StatementRunner {
  /** Submits the statements as one transaction; returns the statement id. */
  submitBatch(target: WarehouseTarget, statements: string[], statementName: string): Promise<string>;
  describe(statementId: string): Promise<StatementState>;
}

export interface ApplyOptions {
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds between two DescribeStatement calls. */
  readonly pollIntervalMs: number;
  /** Epoch milliseconds after which waiting stops with an error (before Lambda's own timeout). */
  readonly deadline: number;
  readonly now: () => number;
  /** Attempts of one call that is throttled before giving up. @default 6 */
  readonly maxThrottleAttempts?: number;
  /** First backoff after a throttled call, doubled each time up to 20 s. @default 500 */
  readonly throttleBaseDelayMs?: number;
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

const DONE = new Set(['FINISHED', 'FAILED', 'ABORTED']);
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ActiveStatementsExceededException',
  'ActiveSessionsExceededException',
  'ActiveWaitingRequestsExceededException',
]);
const MAX_BACKOFF_MS = 20_000;

/** A SQL file that Redshift rejected; the message names the file and carries Redshift's error. */
export class SqlFileFailedError extends Error {
  constructor(
    readonly fileName: string,
    readonly redshiftError: string,
    failedStatement?: string,
  ) {
    const where = failedStatement === undefined ? '' : ` in statement: ${abbreviate(failedStatement)}`;
    super(
      `Warehouse SQL file ${fileName} failed${where}: ${redshiftError}. Fix sql/redshift/${fileName} and deploy again`,
    );
    this.name = 'SqlFileFailedError';
  }
}

/**
 * `NNN_name.if-absent.sql`: CREATE GROUP / CREATE ROLE statements (neither
 * Redshift nor PostgreSQL has IF NOT EXISTS for them). Each runs on its own,
 * and one whose group or role already exists is skipped, so the file can run
 * at every deploy.
 */
export const IF_ABSENT_SUFFIX = '.if-absent.sql';
const ALREADY_EXISTS = /already exists/i;

/**
 * Applies the SQL files in order, each as one transaction (an `.if-absent`
 * file statement by statement), waiting for each to finish before the next
 * starts (later files build on earlier ones). Stops at the first failure.
 * Throttled Data API calls are retried with backoff.
 */
export async function applySqlFiles(
  files: readonly SqlFileBatch[],
  target: WarehouseTarget,
  runner: StatementRunner,
  options: ApplyOptions,
): Promise<string[]> {
  const applied: string[] = [];
  for (const file of files) {
    if (file.name.endsWith(IF_ABSENT_SUFFIX)) {
      for (const [index, statement] of file.statements.entries()) {
        const state = await runBatch(
          file.name,
          [statement],
          `${file.name} #${index + 1}`,
          target,
          runner,
          options,
        );
        if (state.status === 'FINISHED') continue;
        if (state.status === 'FAILED' && ALREADY_EXISTS.test(state.error ?? '')) {
          options.log?.('exists already, skipped', { file: file.name, statement });
          continue;
        }
        throwFailed(file.name, state, statement);
      }
    } else {
      const state = await runBatch(file.name, file.statements, file.name, target, runner, options);
      if (state.status !== 'FINISHED') throwFailed(file.name, state, state.failedStatement);
    }
    options.log?.('applied', { file: file.name });
    applied.push(file.name);
  }
  return applied;
}

/** Submits the statements as one transaction and waits for the Data API to finish it. */
async function runBatch(
  fileName: string,
  statements: string[],
  label: string,
  target: WarehouseTarget,
  runner: StatementRunner,
  options: ApplyOptions,
): Promise<StatementState> {
  const statementId = await retryThrottled(
    () => runner.submitBatch(target, statements, `warehouse-schema ${label}`),
    `BatchExecuteStatement for ${label}`,
    options,
  );
  options.log?.('submitted', { file: fileName, statementId, statements: statements.length });
  return waitUntilDone(fileName, statementId, runner, options);
}

function throwFailed(fileName: string, state: StatementState, failedStatement?: string): never {
  throw new SqlFileFailedError(
    fileName,
    state.error ?? `the statement ended ${state.status} without an error message`,
    failedStatement,
  );
}

async function waitUntilDone(
  fileName: string,
  statementId: string,
  runner: StatementRunner,
  options: ApplyOptions,
): Promise<StatementState> {
  for (;;) {
    const state = await retryThrottled(
      () => runner.describe(statementId),
      `DescribeStatement for ${fileName}`,
      options,
    );
    if (DONE.has(state.status)) return state;
    if (options.now() + options.pollIntervalMs > options.deadline) {
      throw new Error(
        `Warehouse SQL file ${fileName} was still ${state.status} (statement ${statementId}) when the custom resource ran out of time; ` +
          'check the statement in the Redshift query history and deploy again',
      );
    }
    await options.sleep(options.pollIntervalMs);
  }
}

/** Runs a Data API call, retrying it with exponential backoff while it is throttled. */
export async function retryThrottled<T>(
  call: () => Promise<T>,
  what: string,
  options: ApplyOptions,
): Promise<T> {
  const maxAttempts = options.maxThrottleAttempts ?? 6;
  const baseDelay = options.throttleBaseDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= maxAttempts) {
        if (isThrottling(error)) {
          throw new Error(`${what} was still throttled after ${attempt} attempts: ${describeError(error)}`, {
            cause: error,
          });
        }
        throw error;
      }
      const delay = Math.min(baseDelay * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      options.log?.('throttled, retrying', { call: what, attempt, delayMs: delay });
      await options.sleep(delay);
    }
  }
}

export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as {
    name?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: { throttling?: unknown };
  };
  return (
    (typeof candidate.name === 'string' && THROTTLING_ERRORS.has(candidate.name)) ||
    candidate.$metadata?.httpStatusCode === 429 ||
    candidate.$retryable?.throttling === true
  );
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function abbreviate(sql: string): string {
  const oneLine = sql.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 197)}...` : oneLine;
}
