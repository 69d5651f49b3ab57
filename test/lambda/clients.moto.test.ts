import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientConfig, s3ClientConfig } from '../../lambda/shared/clients';
import { startMotoServer, type MotoServer } from '../helpers/moto-server';

/**
 * lambda/shared/clients.ts with the real AWS SDK against a moto server: the
 * handlers build their clients from the environment alone, so
 * `AWS_ENDPOINT_URL` (how the local twin and the bundle tests point them
 * elsewhere) must reach every client, and S3 must then address buckets by
 * path, because `<bucket>.127.0.0.1` does not resolve.
 */

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMotoServer();
});

afterAll(async () => {
  await moto?.stop();
});

afterEach(() => vi.unstubAllEnvs());

function useMotoEnvironment(): void {
  for (const [name, value] of Object.entries(moto.env())) {
    if (name.startsWith('AWS_')) vi.stubEnv(name, value);
  }
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
}

describe('clients built from the environment', () => {
  it('S3: reaches the AWS_ENDPOINT_URL server with path-style addressing', async () => {
    useMotoEnvironment();
    const config = s3ClientConfig();
    expect(config).toEqual({ maxAttempts: 1, forcePathStyle: true });
    const s3 = new S3Client(config);
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: 'env-bucket',
          CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-central-1' },
        }),
      );
      await s3.send(new PutObjectCommand({ Bucket: 'env-bucket', Key: 'a/b.json', Body: Buffer.from('{}') }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'env-bucket' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual(['a/b.json']);
    } finally {
      s3.destroy();
    }
  });

  it('other services: reach the same server with one attempt per call', async () => {
    useMotoEnvironment();
    const dynamodb = new DynamoDBClient(clientConfig());
    try {
      expect(await dynamodb.config.maxAttempts()).toBe(1);
      await expect(dynamodb.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    } finally {
      dynamodb.destroy();
    }
  });
});
