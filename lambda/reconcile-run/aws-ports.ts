import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { errorName } from '../shared/errors';
import type { ManifestStore } from './reconcile-run';

/** Manifests in the processed bucket under `_manifest/<run-id>.json` (docs/data-layout.md). */
export function createS3ManifestStore(s3: S3Client, processedBucket: string): ManifestStore {
  const key = (runId: string): string => `_manifest/${runId}.json`;
  return {
    describe: (runId) => `s3://${processedBucket}/${key(runId)}`,
    async readManifest(runId: string): Promise<string | undefined> {
      try {
        const object = await s3.send(new GetObjectCommand({ Bucket: processedBucket, Key: key(runId) }));
        return object.Body ? await object.Body.transformToString('utf-8') : undefined;
      } catch (error) {
        if (errorName(error) === 'NoSuchKey') return undefined;
        throw error;
      }
    },
  };
}
