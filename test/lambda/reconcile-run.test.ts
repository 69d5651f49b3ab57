import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createS3ManifestStore } from '../../lambda/reconcile-run/aws-ports';
import { ReconciliationError, reconcileRun } from '../../lambda/reconcile-run/reconcile-run';
import { PermanentError, RetryableError } from '../../lambda/shared/errors';
import { awsError, fastRetry, memoryLog } from './aws-test-helpers';

const s3 = mockClient(S3Client);
const store = createS3ManifestStore(new S3Client({}), 'processed-bucket');
const RUN = 'run-2024-05-01T10';

/** A GetObject result whose body reads as `text` (the SDK stream mixin's method). */
function body(text: string): { Body: { transformToString: () => Promise<string> } } {
  return { Body: { transformToString: async () => text } };
}

function manifest(counts: Record<string, unknown>, runId = RUN): string {
  // Shape written by spark-jobs/bankpipe/manifest.py (extra fields are ignored here).
  return JSON.stringify({
    run_id: runId,
    started_at: '2024-05-01T11:10:00Z',
    counts: {
      ...counts,
      quarantined_by_reason: { bad_json: 3 },
      duplicates_in_run: 1,
      duplicates_of_processed: 1,
    },
  });
}

beforeEach(() => s3.reset());

describe('reconcile-run', () => {
  it('reads _manifest/<run-id>.json and passes when read = valid + quarantined + duplicates', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 105, valid: 100, quarantined: 3, duplicates: 2 })) as never,
    );
    const result = await reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry());
    expect(result).toEqual({ runId: RUN, read: 105, valid: 100, quarantined: 3, duplicates: 2 });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'processed-bucket',
      Key: `_manifest/${RUN}.json`,
    });
  });

  it('fails the run with ReconciliationError when the counts do not add up', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 105, valid: 99, quarantined: 3, duplicates: 2 })) as never,
    );
    const attempt = reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry());
    await expect(attempt).rejects.toThrow(ReconciliationError);
    await expect(attempt).rejects.toThrow(/read=105 but valid\+quarantined\+duplicates=104/);
  });

  it('refuses a manifest written by another run', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 1, valid: 1, quarantined: 0, duplicates: 0 }, 'run-2024-05-01T09')) as never,
    );
    await expect(reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry())).rejects.toThrow(
      /belongs to run "run-2024-05-01T09", not run-2024-05-01T10/,
    );
  });

  it('reports a missing manifest as a permanent error naming the S3 location', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    await expect(reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry())).rejects.toThrow(
      /no manifest at s3:\/\/processed-bucket\/_manifest\/run-2024-05-01T10\.json/,
    );
  });

  it('names the bad field of a malformed manifest', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 5, valid: '5', quarantined: 0, duplicates: 0 })) as never,
    );
    await expect(reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry())).rejects.toThrow(
      /counts\.valid must be a whole number >= 0, got "5"/,
    );
    s3.on(GetObjectCommand).resolves(body('{not json') as never);
    await expect(reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry())).rejects.toThrow(
      /is not valid JSON/,
    );
  });

  it('retries a transient S3 error and then succeeds', async () => {
    s3.on(GetObjectCommand)
      .rejectsOnce(awsError('InternalError', 500))
      .resolves(body(manifest({ read: 2, valid: 2, quarantined: 0, duplicates: 0 })) as never);
    const retry = fastRetry();
    await expect(reconcileRun({ runId: RUN }, store, memoryLog(), retry)).resolves.toMatchObject({ read: 2 });
    expect(retry.sleeps).toHaveLength(1);
  });

  it('surfaces a persistent S3 outage as RetryableError (Step Functions retries the task)', async () => {
    s3.on(GetObjectCommand).rejects(awsError('ServiceUnavailable', 503));
    await expect(reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry(2))).rejects.toThrow(
      RetryableError,
    );
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it('a repeated invocation for the same run reads again and gives the same answer', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 3, valid: 3, quarantined: 0, duplicates: 0 })) as never,
    );
    const first = await reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry());
    const second = await reconcileRun({ runId: RUN }, store, memoryLog(), fastRetry());
    expect(second).toEqual(first);
  });

  it('rejects input without a valid run id', async () => {
    await expect(reconcileRun({ run: 'x' }, store, memoryLog(), fastRetry())).rejects.toThrow(PermanentError);
    await expect(reconcileRun({ runId: 'has space' }, store, memoryLog(), fastRetry())).rejects.toThrow(
      /needs \{"runId"/,
    );
  });
});
