import { mockClient } from 'aws-sdk-client-mock';
import { afterAll } from 'vitest';
import type { RunLog } from '../../lambda/shared/log';
import type { RetryOptions } from '../../lambda/shared/retry';

/**
 * `mockClient` that puts the real `send` back after the file's tests. The CDK
 * tests run every file in one process, where the SDK packages are loaded once:
 * a stub left on a client's prototype would answer the next file's calls, and
 * the moto tests, which need the real SDK, would get the stub's `undefined`.
 */
export const mockSdkClient: typeof mockClient = (client) => {
  const stub = mockClient(client);
  afterAll(() => stub.restore());
  return stub;
};

/** An error shaped like an AWS SDK v3 service exception. */
export function awsError(name: string, httpStatusCode: number, message = `${name} (test)`): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode },
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
  });
}

/** Retry settings with no real waiting; `sleeps` records the delays asked for. */
export function fastRetry(maxAttempts = 3): RetryOptions & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    maxAttempts,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    random: () => 0.5,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
    sleeps,
  };
}

/** A RunLog that keeps what was logged. */
export function memoryLog(): RunLog & {
  lines: { level: string; message: string; details?: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; details?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (message, details) => lines.push({ level: 'INFO', message, details }),
    warn: (message, details) => lines.push({ level: 'WARN', message, details }),
  };
}
