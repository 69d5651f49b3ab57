/**
 * Settings every AWS SDK client of the handlers is built with.
 *
 * - `maxAttempts: 1`: retries are done once, by `withRetry` (retry.ts), with
 *   classification and a log line per retry, the same on AWS, locally and in tests.
 * - Endpoints: SDK v3 honours `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`
 *   by itself, which is how the local twin points the handlers at its servers.
 *   S3 servers on 127.0.0.1 need path-style addressing, switched on with
 *   `AWS_S3_FORCE_PATH_STYLE=true` (or implied by a custom S3 endpoint).
 */
export function clientConfig(): { maxAttempts: number } {
  return { maxAttempts: 1 };
}

export function s3ClientConfig(env: Readonly<Record<string, string | undefined>> = process.env): {
  maxAttempts: number;
  forcePathStyle: boolean;
} {
  const customEndpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return {
    ...clientConfig(),
    forcePathStyle: env.AWS_S3_FORCE_PATH_STYLE === 'true' || customEndpoint !== undefined,
  };
}
