import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { REPO_ROOT } from '../../lib/shared/repo-root';

/**
 * A moto server: a real AWS-API HTTP endpoint on 127.0.0.1, so the AWS SDK
 * clients of the Lambdas and tools send the same requests they send in an
 * account, with real serialization, and a wrong parameter name or shape fails
 * here. Installed into the project's venv by `scripts/setup.sh`.
 */
export interface MotoServer {
  /** `http://127.0.0.1:<port>`, for `endpoint` or `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** Region the tests' clients use. */
  readonly region: string;
  /** Static test credentials moto accepts. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * Settings for an AWS SDK v3 client pointed at this server, as the Lambdas
   * build theirs (one attempt: retries belong to the code under test).
   */
  clientConfig(): MotoClientConfig;
  /** {@link clientConfig} plus path-style addressing, which an S3 server on 127.0.0.1 needs. */
  s3ClientConfig(): MotoClientConfig & { forcePathStyle: true };
  /** Environment for a child process (a CLI under test) to reach this server. */
  env(): NodeJS.ProcessEnv;
  /**
   * How a moto model with a lifecycle (e.g. `glue::crawl`) moves to its next
   * state: `{ progression: 'manual', times: n }` advances it after `n` reads
   * (moto's state-manager API). The default is `immediate`.
   */
  setTransition(modelName: string, transition: MotoTransition): Promise<void>;
  /** Forgets every resource created so far (moto's reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface MotoClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts: number;
}

export type MotoTransition =
  | { readonly progression: 'immediate' }
  | { readonly progression: 'manual'; readonly times: number }
  | { readonly progression: 'time'; readonly seconds: number };

const MOTO_SERVER = path.join(REPO_ROOT, '.local', 'venv', 'bin', 'moto_server');
const START_TIMEOUT_MS = 60_000;

/** Starts a moto server on a free loopback port and waits until it answers. */
export async function startMotoServer(region = 'eu-central-1'): Promise<MotoServer> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(
      `${MOTO_SERVER} is missing: run 'make setup' (it installs moto[server] from requirements.txt)`,
    );
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  await waitUntilUp(endpoint, child, () => stderr);

  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const clientConfig = (): MotoClientConfig => ({ endpoint, region, credentials, maxAttempts: 1 });
  return {
    endpoint,
    region,
    credentials,
    clientConfig,
    s3ClientConfig: () => ({ ...clientConfig(), forcePathStyle: true }),
    env: () => ({
      ...process.env,
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_PROFILE: undefined,
      AWS_SESSION_TOKEN: undefined,
    }),
    setTransition: async (modelName, transition) => {
      const response = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
        method: 'POST',
        body: JSON.stringify({ model_name: modelName, transition }),
      });
      if (!response.ok) throw new Error(`moto set-transition ${modelName} failed: HTTP ${response.status}`);
    },
    reset: async () => {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    stop: () => stopChild(child),
  };
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode}:\n${stderr()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopChild(child);
  throw new Error(`moto_server did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms:\n${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
