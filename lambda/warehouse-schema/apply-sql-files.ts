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
 * Applies the SQL files in order, each as one transaction, waiting for each
 * to finish before the next starts (later files build on earlier ones). Stops
 * at the first failure. Throttled Data API calls are retried with backoff.
 */
export async function applySqlFiles(
  files: readonly SqlFileBatch[],
  target: WarehouseTarget,
  runner: StatementRunner,
  options: ApplyOptions,
): Promise<string[]> {
  const applied: string[] = [];
  for (const file of files) {
    const statementId = await retryThrottled(
      () => runner.submitBatch(target, file.statements, `warehouse-schema ${file.name}`),
      `BatchExecuteStatement for ${file.name}`,
      options,
    );
    options.log?.('submitted', { file: file.name, statementId, statements: file.statements.length });
    const state = await waitUntilDone(file.name, statementId, runner, options);
    if (state.status !== 'FINISHED') {
      throw new SqlFileFailedError(
        file.name,
        state.error ?? `the statement ended ${state.status} without an error message`,
        state.failedStatement,
      );
    }
    options.log?.('applied', { file: file.name, statementId });
    applied.push(file.name);
  }
  return applied;
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
