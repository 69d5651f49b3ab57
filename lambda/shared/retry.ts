import { classifyError, RetryableError } from './errors';

export interface RetryOptions {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  /** Delay cap of the first retry, doubled each retry ("full jitter" picks 0..cap). */
  readonly baseDelayMs: number;
  /** Upper bound of any single delay. */
  readonly maxDelayMs: number;
  /** Injected in tests; defaults to setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected in tests; defaults to Math.random. */
  readonly random?: () => number;
  /** Called before each retry (for logging). */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: RetryableError }) => void;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying transient failures with exponential backoff and
 * full jitter (delay = random(0, min(maxDelay, base * 2^n))), so many callers
 * throttled together do not retry in lock-step.
 *
 * Every failure is classified ({@link classifyError}): a PermanentError is
 * thrown at once; a RetryableError is retried, and after the last attempt it is
 * thrown as a RetryableError so the caller (Step Functions, Lambda async retry)
 * can try again later at a coarser scale.
 *
 * This is the one retry layer for calls to AWS: clients are built with
 * `maxAttempts: 1` (see clients.ts) so attempts, delays and logs are the same on
 * AWS, in the local twin and in tests.
 */
export async function withRetry<T>(
  doing: string,
  operation: () => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<T> {
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
    throw new RangeError(
      `withRetry(${doing}): maxAttempts must be a whole number >= 1, got ${options.maxAttempts}`,
    );
  }
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (raw) {
      const error = classifyError(raw, doing);
      if (!(error instanceof RetryableError)) throw error;
      if (attempt >= options.maxAttempts) {
        throw new RetryableError(`${doing} still failing after ${attempt} attempts: ${error.message}`, {
          cause: raw,
        });
      }
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.floor(random() * cap);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}
