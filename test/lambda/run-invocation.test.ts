import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import { runInvocation } from '../../lambda/shared/powertools';

/** A logger and metrics that remember what the invocation did with them. */
function observed() {
  const logged: string[] = [];
  const counted: string[] = [];
  let published = 0;
  const logger = { error: (message: string) => logged.push(message) } as unknown as Logger;
  const metrics = {
    addMetric: (name: string, _unit: unknown, value: number) => counted.push(`${name}=${value}`),
    publishStoredMetrics: () => {
      published += 1;
    },
  } as unknown as Metrics;
  return { logger, metrics, logged, counted, published: () => published };
}

class CountedError extends Error {}
const failure = { message: 'work failed', metric: 'WorkFailures' };

describe('runInvocation', () => {
  it('returns the result and publishes the stored metrics', async () => {
    const o = observed();
    await expect(runInvocation(o, failure, () => Promise.resolve(42))).resolves.toBe(42);
    expect([o.logged, o.counted, o.published()]).toEqual([[], [], 1]);
  });

  it('logs, counts and rethrows a failure, and still publishes', async () => {
    const o = observed();
    const boom = new Error('boom');
    await expect(runInvocation(o, failure, () => Promise.reject(boom))).rejects.toBe(boom);
    expect([o.logged, o.counted, o.published()]).toEqual([['work failed'], ['WorkFailures=1'], 1]);
  });

  it('counts only the errors the failure says count', async () => {
    const o = observed();
    const counts = (error: unknown) => error instanceof CountedError;
    await expect(
      runInvocation(o, { ...failure, counts }, () => Promise.reject(new Error('other'))),
    ).rejects.toThrow('other');
    await expect(
      runInvocation(o, { ...failure, counts }, () => Promise.reject(new CountedError('mine'))),
    ).rejects.toThrow('mine');
    expect([o.logged, o.counted, o.published()]).toEqual([
      ['work failed', 'work failed'],
      ['WorkFailures=1'],
      2,
    ]);
  });
});
