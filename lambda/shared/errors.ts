/**
 * Error classes shared by every handler. Their `name` is what Lambda reports as
 * `errorType`, and what the state machine's Retry/Catch rules match on, so the
 * names are part of the contract with lib/orchestration/*.ts.
 */

/** A failure worth retrying later: throttling, a 5xx, a network blip, a resource busy. */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
}

/** A failure that will not go away by itself: bad input, missing permission, bad data. */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/** Error names (`name`/`Code`) AWS services use for throttling and transient server trouble. */
const RETRYABLE_ERROR_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'ActiveStatementsExceededException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailure',
  'InternalServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'OperationTimeoutException',
  'TransactionConflictException',
]);

/** Node.js network error codes that mean "try again". */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** True when an AWS SDK (or network) error is transient and the call may succeed later. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  if (error instanceof PermanentError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  if (typeof e.name === 'string' && RETRYABLE_ERROR_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  return false;
}

/**
 * Wraps any error in RetryableError or PermanentError, keeping the original as
 * `cause` and saying what was being done, so logs and the failure alert read
 * "listing s3://raw/...: AccessDenied ..." rather than a bare SDK message.
 */
export function classifyError(error: unknown, doing: string): RetryableError | PermanentError {
  if (error instanceof RetryableError || error instanceof PermanentError) return error;
  const detail = describeError(error);
  return isRetryable(error)
    ? new RetryableError(`${doing} failed with a transient error (${detail}); it will be retried`, {
        cause: error,
      })
    : new PermanentError(`${doing} failed: ${detail}`, { cause: error });
}

/** `Name: message` of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The error `name` of an SDK exception (`ExecutionAlreadyExists`, `NoSuchKey`, ...), if any. */
export function errorName(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string') {
    return (error as { name: string }).name;
  }
  return undefined;
}
