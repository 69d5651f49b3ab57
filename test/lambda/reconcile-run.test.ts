import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { createS3ManifestStore, createS3RawLineCounter } from '../../lambda/reconcile-run/aws-ports';
import { ContentLineCounter, isReadByJob } from '../../lambda/reconcile-run/raw-lines';
import {
  type RawLineCounter,
  ReconciliationError,
  reconcileRun,
} from '../../lambda/reconcile-run/reconcile-run';
import { PermanentError, RetryableError } from '../../lambda/shared/errors';
import { awsError, fastRetry, memoryLog, mockSdkClient } from './aws-test-helpers';

const s3 = mockSdkClient(S3Client);
const store = createS3ManifestStore(new S3Client({}), 'processed-bucket');
const RUN = 'run-2024-05-01T10';
const PREFIX = 'transactions/year=2024/month=05/day=01/hour=10/';
const INPUT = { runId: RUN, rawPrefix: PREFIX };

/** The raw zone as the tests set it: `rawLines` non-blank lines under the run's prefix. */
let rawLines = 0;
/** Of those, the lines of objects written after the run started. */
let linesWrittenAfterStart = 0;
const raw: RawLineCounter = {
  describe: (prefix) => `s3://raw-bucket/${prefix}`,
  countLines: async (prefix) => (prefix === PREFIX ? rawLines : 0),
  countLinesWrittenSince: async (prefix) => ({
    lines: prefix === PREFIX ? linesWrittenAfterStart : 0,
    objects: linesWrittenAfterStart > 0 ? 1 : 0,
  }),
};
const ports = { manifests: store, raw };

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

beforeEach(() => {
  s3.reset();
  rawLines = 0;
  linesWrittenAfterStart = 0;
});

describe('reconcile-run', () => {
  it('reads _manifest/<run-id>.json and passes when read = valid + quarantined + duplicates = raw lines', async () => {
    rawLines = 105;
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 105, valid: 100, quarantined: 3, duplicates: 2 })) as never,
    );
    const result = await reconcileRun(INPUT, ports, memoryLog(), fastRetry());
    expect(result).toEqual({
      runId: RUN,
      rawLines: 105,
      lateLines: 0,
      read: 105,
      valid: 100,
      quarantined: 3,
      duplicates: 2,
    });
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'processed-bucket',
      Key: `_manifest/${RUN}.json`,
    });
  });

  it('fails the run with ReconciliationError when the counts do not add up', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 105, valid: 99, quarantined: 3, duplicates: 2 })) as never,
    );
    const attempt = reconcileRun(INPUT, ports, memoryLog(), fastRetry());
    await expect(attempt).rejects.toThrow(ReconciliationError);
    await expect(attempt).rejects.toThrow(/read=105 but valid\+quarantined\+duplicates=104/);
  });

  it('refuses a manifest written by another run', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 1, valid: 1, quarantined: 0, duplicates: 0 }, 'run-2024-05-01T09')) as never,
    );
    await expect(reconcileRun(INPUT, ports, memoryLog(), fastRetry())).rejects.toThrow(
      /belongs to run "run-2024-05-01T09", not run-2024-05-01T10/,
    );
  });

  it('reports a missing manifest as a permanent error naming the S3 location', async () => {
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404));
    await expect(reconcileRun(INPUT, ports, memoryLog(), fastRetry())).rejects.toThrow(
      /no manifest at s3:\/\/processed-bucket\/_manifest\/run-2024-05-01T10\.json/,
    );
  });

  it('names the bad field of a malformed manifest', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 5, valid: '5', quarantined: 0, duplicates: 0 })) as never,
    );
    await expect(reconcileRun(INPUT, ports, memoryLog(), fastRetry())).rejects.toThrow(
      /counts\.valid must be a whole number >= 0, got "5"/,
    );
    s3.on(GetObjectCommand).resolves(body('{not json') as never);
    await expect(reconcileRun(INPUT, ports, memoryLog(), fastRetry())).rejects.toThrow(/is not valid JSON/);
  });

  it('retries a transient S3 error and then succeeds', async () => {
    rawLines = 2;
    s3.on(GetObjectCommand)
      .rejectsOnce(awsError('InternalError', 500))
      .resolves(body(manifest({ read: 2, valid: 2, quarantined: 0, duplicates: 0 })) as never);
    const retry = fastRetry();
    await expect(reconcileRun(INPUT, ports, memoryLog(), retry)).resolves.toMatchObject({ read: 2 });
    expect(retry.sleeps).toHaveLength(1);
  });

  it('surfaces a persistent S3 outage as RetryableError (Step Functions retries the task)', async () => {
    s3.on(GetObjectCommand).rejects(awsError('ServiceUnavailable', 503));
    await expect(reconcileRun(INPUT, ports, memoryLog(), fastRetry(2))).rejects.toThrow(RetryableError);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it('a repeated invocation for the same run reads again and gives the same answer', async () => {
    rawLines = 3;
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 3, valid: 3, quarantined: 0, duplicates: 0 })) as never,
    );
    const first = await reconcileRun(INPUT, ports, memoryLog(), fastRetry());
    const second = await reconcileRun(INPUT, ports, memoryLog(), fastRetry());
    expect(second).toEqual(first);
  });

  it('rejects input without a valid run id', async () => {
    await expect(reconcileRun({ run: 'x' }, ports, memoryLog(), fastRetry())).rejects.toThrow(PermanentError);
    await expect(
      reconcileRun({ runId: 'has space', rawPrefix: PREFIX }, ports, memoryLog(), fastRetry()),
    ).rejects.toThrow(/needs \{"runId"/);
  });

  it('fails loudly when the raw zone holds lines the job did not read, and when it holds fewer', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 105, valid: 100, quarantined: 3, duplicates: 2 })) as never,
    );
    rawLines = 110;
    const late = reconcileRun(INPUT, ports, memoryLog(), fastRetry());
    await expect(late).rejects.toThrow(ReconciliationError);
    await expect(late).rejects.toThrow(
      /raw zone holds 110 non-blank lines under s3:\/\/raw-bucket\/transactions\/year=2024.* but the job read 105.*lines the job did not read/,
    );
    rawLines = 100;
    await expect(reconcileRun(INPUT, ports, memoryLog(), fastRetry())).rejects.toThrow(
      /fewer lines than the job read/,
    );
  });

  it('passes lines the raw zone holds beyond read only because objects were written after the run started (late data, not a failed attempt)', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 105, valid: 100, quarantined: 3, duplicates: 2 })) as never,
    );
    const started = { ...INPUT, startedAt: '2024-05-01T11:12:00.250Z' };
    rawLines = 110;
    linesWrittenAfterStart = 5;
    const log = memoryLog();
    await expect(reconcileRun(started, ports, log, fastRetry())).resolves.toMatchObject({
      read: 105,
      rawLines: 110,
      lateLines: 5,
    });
    expect(log.lines.some((l) => l.level === 'WARN' && /late-data re-run/.test(l.message))).toBe(true);

    // The job also read one of the late objects (it arrived before the job listed the hour).
    linesWrittenAfterStart = 8;
    await expect(reconcileRun(started, ports, memoryLog(), fastRetry())).resolves.toMatchObject({
      lateLines: 5,
    });
  });

  it('still fails when lines written before the run started are missing from read', async () => {
    s3.on(GetObjectCommand).resolves(
      body(manifest({ read: 105, valid: 100, quarantined: 3, duplicates: 2 })) as never,
    );
    rawLines = 110;
    linesWrittenAfterStart = 4; // 106 lines were there before the start, the job read 105
    await expect(
      reconcileRun({ ...INPUT, startedAt: '2024-05-01T11:12:00Z' }, ports, memoryLog(), fastRetry()),
    ).rejects.toThrow(/lines the job did not read/);
    // Without the start time (an older state machine) every extra line fails the run.
    linesWrittenAfterStart = 5;
    await expect(reconcileRun(INPUT, ports, memoryLog(), fastRetry())).rejects.toThrow(ReconciliationError);
    await expect(
      reconcileRun({ ...INPUT, startedAt: 'yesterday' }, ports, memoryLog(), fastRetry()),
    ).rejects.toThrow(/"startedAt" must be the execution's start time/);
  });

  it('refuses a raw prefix outside the raw layout before reading anything', async () => {
    await expect(
      reconcileRun({ runId: RUN, rawPrefix: 'reference/' }, ports, memoryLog(), fastRetry()),
    ).rejects.toThrow(/needs \{"rawPrefix": "transactions\/year=YYYY/);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});

describe('raw line counting', () => {
  const count = (...chunks: string[]): number => {
    const counter = new ContentLineCounter();
    for (const chunk of chunks) counter.add(Buffer.from(chunk, 'utf-8'));
    return counter.total();
  };

  it('counts the lines the job reads: \\n, \\r\\n and \\r end lines, blank and whitespace-only lines do not count', () => {
    expect(count('{"a":1}\n{"a":2}\n')).toBe(2);
    expect(count('{"a":1}\r\n\r\n  \t\n{"a":2}')).toBe(2);
    expect(count('a\rb\rc')).toBe(3);
    expect(count('')).toBe(0);
    expect(count('\u00a0\n')).toBe(1); // not whitespace for Java's \\S
  });

  it('carries a line across chunk boundaries', () => {
    expect(count('{"a"', ':1}\r', '\n{"a":2}', '\n')).toBe(2);
  });

  it('skips what Spark skips: names starting with _ or . and folder markers', () => {
    expect(isReadByJob(`${PREFIX}bank-transactions-0-1.jsonl`, PREFIX)).toBe(true);
    expect(isReadByJob(`${PREFIX}_SUCCESS`, PREFIX)).toBe(false);
    expect(isReadByJob(`${PREFIX}.part.tmp`, PREFIX)).toBe(false);
    expect(isReadByJob(`${PREFIX}_tmp/x.jsonl`, PREFIX)).toBe(false);
    expect(isReadByJob(PREFIX, PREFIX)).toBe(false);
  });

  it('streams every object under the prefix on S3, gzip included, across listing pages', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: `${PREFIX}t-0-1.jsonl` }, { Key: `${PREFIX}_SUCCESS` }],
        IsTruncated: true,
        NextContinuationToken: 'next',
      })
      .resolvesOnce({ Contents: [{ Key: `${PREFIX}t-1-1.jsonl.gz` }] });
    s3.on(GetObjectCommand, { Key: `${PREFIX}t-0-1.jsonl` }).callsFake(() => ({
      Body: Readable.from([Buffer.from('{"a":1}\n\n{"a":2}\n')]),
    }));
    s3.on(GetObjectCommand, { Key: `${PREFIX}t-1-1.jsonl.gz` }).callsFake(() => ({
      Body: Readable.from([gzipSync('{"a":3}\n{"a":4}\n{"a":5}')]),
    }));
    const counter = createS3RawLineCounter(new S3Client({}), 'raw-bucket');
    expect(await counter.countLines(PREFIX)).toBe(5);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).not.toContain(
      `${PREFIX}_SUCCESS`,
    );
    expect(s3.commandCalls(ListObjectsV2Command)[1].args[0].input.ContinuationToken).toBe('next');
  });
});
