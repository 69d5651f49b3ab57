import { describe, expect, it } from 'vitest';
import { s3SinkConnectorConfig } from '../../connectors/connector-config';
import {
  hourReadiness,
  parseSinkWatermark,
  readSinkWatermarks,
  SINK_WATERMARK_FOLDER,
  SINK_WATERMARK_PREFIX,
  type SinkWatermarkObject,
} from '../../lambda/start-run/sink-watermarks';
import { parseWindowId } from '../../lambda/start-run/windows';

const HOUR_10 = parseWindowId('2024-05-01T10');
const HOUR_END = Date.parse('2024-05-01T11:00:00.000Z');
const DELAY_MINUTES = 10;
/** Within the close delay: only the watermarks can let hour 10 run. */
const SOON_AFTER = new Date(HOUR_END + 3 * 60_000);

/** A watermark as the sink writes it (SinkWatermark.json()). */
function mark(partition: number, flushedThroughMs: number, topic = 'bank-transactions'): SinkWatermarkObject {
  return {
    key: `${SINK_WATERMARK_PREFIX}${topic}-${partition}.json`,
    body: JSON.stringify({
      topic,
      partition,
      committedOffset: 42,
      pendingRecords: 0,
      maxEventTime: '2024-05-01T10:59:58Z',
      caughtUpAt: null,
      flushedThrough: new Date(flushedThroughMs).toISOString(),
      writtenAt: '2024-05-01T11:01:00Z',
    }),
  };
}

const readiness = (objects: SinkWatermarkObject[], now = SOON_AFTER) =>
  hourReadiness(HOUR_10, readSinkWatermarks(objects), now, DELAY_MINUTES);

describe('hourReadiness: an hour runs once every partition has flushed it', () => {
  it('is flushed when every watermark is exactly at the end of the hour (flushedThrough is exclusive)', () => {
    expect(readiness([mark(0, HOUR_END), mark(1, HOUR_END)])).toEqual({ ready: true, by: 'sink-flushed' });
  });

  it('waits while one partition is 1 ms before the end, and names it', () => {
    expect(readiness([mark(0, HOUR_END + 1), mark(1, HOUR_END - 1)])).toEqual({
      ready: false,
      behind: ['bank-transactions-1 (flushed through 2024-05-01T10:59:59.999Z)'],
    });
  });

  it('is flushed 1 ms past the end', () => {
    expect(readiness([mark(0, HOUR_END + 1)])).toEqual({ ready: true, by: 'sink-flushed' });
  });

  it('waits for a partition whose watermark is missing below the highest one seen', () => {
    expect(readiness([mark(0, HOUR_END), mark(2, HOUR_END)])).toEqual({
      ready: false,
      behind: ['bank-transactions-1 (no watermark)'],
    });
  });

  it('lets an idle partition (its watermark moved on with the time it was found empty) pass', () => {
    const idleForHours = HOUR_END + 5 * 3_600_000;
    expect(readiness([mark(0, HOUR_END + 30_000), mark(1, idleForHours)])).toEqual({
      ready: true,
      by: 'sink-flushed',
    });
  });

  it('judges each topic by its own partitions', () => {
    expect(readiness([mark(0, HOUR_END), mark(0, HOUR_END - 60_000, 'other-topic')])).toMatchObject({
      ready: false,
      behind: ['other-topic-0 (flushed through 2024-05-01T10:59:00.000Z)'],
    });
  });

  it('never runs an hour that has not ended, whatever the watermarks say', () => {
    expect(readiness([mark(0, HOUR_END + 60_000)], new Date(HOUR_END - 1))).toEqual({
      ready: false,
      behind: ['the hour has not ended'],
    });
  });

  it('holds a partition back while its watermark is unreadable', () => {
    const broken = { key: `${SINK_WATERMARK_PREFIX}bank-transactions-1.json`, body: '{"topic":' };
    const result = readiness([mark(0, HOUR_END), broken]);
    expect(result.ready).toBe(false);
    expect(result.ready === false && result.behind[0]).toMatch(/bank-transactions-1\.json: not JSON/);
  });
});

describe('hourReadiness: the close delay is the longest wait', () => {
  const delayEnd = HOUR_END + DELAY_MINUTES * 60_000;

  it('runs a partition that lags once the delay has passed, saying which one lagged', () => {
    expect(readiness([mark(0, HOUR_END - 1)], new Date(delayEnd))).toEqual({
      ready: true,
      by: 'close-delay',
      behind: ['bank-transactions-0 (flushed through 2024-05-01T10:59:59.999Z)'],
    });
    expect(readiness([mark(0, HOUR_END - 1)], new Date(delayEnd - 1)).ready).toBe(false);
  });

  it('without any watermark (a sink older than watermarks) only the delay decides', () => {
    expect(readiness([], new Date(delayEnd - 1))).toEqual({ ready: false, behind: ['no sink watermark'] });
    expect(readiness([], new Date(delayEnd))).toEqual({
      ready: true,
      by: 'close-delay',
      behind: ['no sink watermark'],
    });
  });
});

describe('parseSinkWatermark', () => {
  it('reads what the sink writes', () => {
    const parsed = parseSinkWatermark(mark(3, HOUR_END).body);
    expect(parsed).toEqual({
      topic: 'bank-transactions',
      partition: 3,
      flushedThrough: new Date(HOUR_END),
      writtenAt: new Date('2024-05-01T11:01:00Z'),
    });
  });

  it.each([
    ['[]', /not a JSON object/],
    ['{"topic":"t","partition":-1}', /"partition" must be a whole number/],
    [
      '{"topic":"t","partition":0,"flushedThrough":"soon","writtenAt":"2024-05-01T11:00:00Z"}',
      /"flushedThrough"/,
    ],
    ['{"topic":"t","partition":0,"flushedThrough":"2024-05-01T11:00:00Z"}', /"writtenAt"/],
    ['{"partition":0}', /"topic"/],
  ])('says what is wrong with %s', (body, problem) => {
    expect(parseSinkWatermark(body)).toMatch(problem);
  });
});

describe('the watermark folder', () => {
  it('is the one the sink is configured to write to, under its raw prefix', () => {
    const sink = s3SinkConnectorConfig({
      bucketName: 'raw',
      region: 'eu-central-1',
      credentials: { mode: 'iam-role' },
    });
    expect(sink['aws.s3.watermark.folder']).toBe(SINK_WATERMARK_FOLDER);
    expect(SINK_WATERMARK_PREFIX).toBe(`${sink['aws.s3.prefix']}${sink['aws.s3.watermark.folder']}`);
  });
});
