import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { RunLog } from '../../lambda/shared/log';
import type { RetryOptions } from '../../lambda/shared/retry';
import { startMotoServer, type MotoServer } from '../helpers/moto-server';

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

/**
 * One moto server for a test file: started before its tests with the SDK
 * clients `connect` makes on it, emptied before each test (before the file's
 * own `beforeEach` hooks), stopped with its clients destroyed after the tests.
 * The fields are there once the file's `beforeAll` hooks run.
 */
export function motoPerFile<Clients extends Record<string, { destroy(): void }>>(
  connect: (moto: MotoServer) => Clients,
): { readonly moto: MotoServer } & Clients {
  const fixture = {} as { moto: MotoServer } & Clients;
  let clients: Clients | undefined;
  beforeAll(async () => {
    const moto = await startMotoServer();
    clients = connect(moto);
    Object.assign(fixture, clients, { moto });
  });
  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.destroy();
    await fixture.moto?.stop();
  });
  beforeEach(() => fixture.moto.reset());
  return fixture;
}

/** The fields of a Redshift Data API request that say which warehouse it goes to and as whom. */
const DATA_API_TARGET_FIELDS = [
  'ClusterIdentifier',
  'WorkgroupName',
  'Database',
  'DbUser',
  'SecretArn',
] as const;

/**
 * Expects every one of `requests` (at least one) to go exactly where `target`
 * says: its fields as given, every other target field (cluster or workgroup,
 * database user, secret) left out.
 */
export function expectDataApiTarget(
  requests: readonly object[],
  target: Partial<Record<(typeof DATA_API_TARGET_FIELDS)[number], string>>,
): void {
  expect(requests.length).toBeGreaterThan(0);
  const targetOf = (fields: Partial<Record<string, unknown>>): Record<string, unknown> =>
    Object.fromEntries(DATA_API_TARGET_FIELDS.map((field) => [field, fields[field]]));
  for (const request of requests) expect(targetOf(request)).toEqual(targetOf(target));
}
