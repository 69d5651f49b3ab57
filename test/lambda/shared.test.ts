import { describe, expect, it } from 'vitest';
import { ConfigurationError, integerEnv, listEnv, oneOfEnv, requireEnv } from '../../lambda/shared/config';
import { classifyError, isRetryable, PermanentError, RetryableError } from '../../lambda/shared/errors';
import { withRetry } from '../../lambda/shared/retry';
import { gte } from '../../lambda/shared/bundling/semver-stub';
import { awsError, fastRetry } from './aws-test-helpers';

describe('error classification', () => {
  it.each([
    ['ThrottlingException', 400],
    ['SlowDown', 503],
    ['ProvisionedThroughputExceededException', 400],
    ['AnyServerFault', 500],
    ['TooMany', 429],
  ])('%s (%i) is retryable', (name, status) => {
    expect(isRetryable(awsError(name, status))).toBe(true);
  });

  it.each([
    ['AccessDeniedException', 403],
    ['ValidationException', 400],
    ['ResourceNotFoundException', 404],
  ])('%s (%i) is permanent', (name, status) => {
    expect(isRetryable(awsError(name, status))).toBe(false);
  });

  it('treats network resets as retryable and plain errors as permanent', () => {
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new TypeError('x is undefined'))).toBe(false);
  });

  it('says what was being done and keeps the cause', () => {
    const original = awsError('AccessDenied', 403, 'not allowed');
    const classified = classifyError(original, 'listing s3://raw/x');
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified.message).toBe('listing s3://raw/x failed: AccessDenied: not allowed');
    expect(classified.cause).toBe(original);
  });
});

describe('withRetry', () => {
  it('retries transient failures with growing, jittered delays, then succeeds', async () => {
    const retry = fastRetry(4);
    let calls = 0;
    const result = await withRetry(
      'reading',
      async () => {
        calls += 1;
        if (calls < 3) throw awsError('ThrottlingException', 400);
        return 'ok';
      },
      retry,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    // full jitter with random() = 0.5: half of 100, then half of 200
    expect(retry.sleeps).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with a RetryableError naming the attempts', async () => {
    const retry = fastRetry(3);
    let calls = 0;
    const attempt = withRetry(
      'reading',
      async () => {
        calls += 1;
        throw awsError('ServiceUnavailable', 503);
      },
      retry,
    );
    await expect(attempt).rejects.toThrow(RetryableError);
    await expect(attempt).rejects.toThrow(/reading still failing after 3 attempts/);
    expect(calls).toBe(3);
  });

  it('does not retry permanent failures', async () => {
    let calls = 0;
    await expect(
      withRetry(
        'writing',
        async () => {
          calls += 1;
          throw awsError('AccessDeniedException', 403);
        },
        fastRetry(5),
      ),
    ).rejects.toThrow(PermanentError);
    expect(calls).toBe(1);
  });

  it('caps the delay at maxDelayMs', async () => {
    const retry = { ...fastRetry(6), random: () => 0.999 };
    await withRetry(
      'x',
      async () => {
        if (retry.sleeps.length < 5) throw awsError('Throttling', 400);
        return 1;
      },
      retry,
    );
    expect(Math.max(...retry.sleeps)).toBeLessThan(1_000);
    expect(retry.sleeps[4]).toBe(Math.floor(0.999 * 1_000));
  });
});

describe('configuration from the environment', () => {
  it('names the missing variable and where it comes from', () => {
    expect(() => requireEnv({}, 'RAW_BUCKET', 'the raw bucket name')).toThrow(ConfigurationError);
    expect(() => requireEnv({ RAW_BUCKET: '  ' }, 'RAW_BUCKET', 'the raw bucket name')).toThrow(
      /RAW_BUCKET is missing or empty: it must hold the raw bucket name \(set by OrchestrationStack/,
    );
  });

  it('checks numbers, lists and choices', () => {
    expect(integerEnv({}, 'N', 'n', { min: 1, max: 5, fallback: 3 })).toBe(3);
    expect(() => integerEnv({ N: '9' }, 'N', 'n', { min: 1, max: 5 })).toThrow(
      /N="9" is not a whole number from 1 to 5/,
    );
    expect(listEnv({ L: 'a.b, c.d' }, 'L', 'views', /^[a-z.]+$/)).toEqual(['a.b', 'c.d']);
    expect(() => listEnv({ L: 'a.b,DROP TABLE' }, 'L', 'views', /^[a-z.]+$/)).toThrow(
      /invalid entries \["DROP TABLE"\]/,
    );
    expect(oneOfEnv({ K: 'serverless' }, 'K', ['serverless', 'provisioned'] as const)).toBe('serverless');
    expect(() => oneOfEnv({ K: 'other' }, 'K', ['serverless', 'provisioned'] as const)).toThrow(
      /must be one of/,
    );
  });
});

describe('semver stub used in bundles', () => {
  it('compares x.y.z versions like semver.gte', () => {
    expect(gte('3.1.0', '3.0.9')).toBe(true);
    expect(gte('3.0.0', '3.0.0')).toBe(true);
    expect(gte('2.99.99', '3.0.0')).toBe(false);
    expect(() => gte('latest', '1.0.0')).toThrow(/only x.y.z/);
  });
});
