import { SINK_WATERMARK_FOLDER, SINK_WATERMARK_PREFIX } from '../../lib/shared/pipeline-layout';
import type { HourWindow } from './windows';

/**
 * The S3 sink's watermark objects: one per topic partition, rewritten after each offset commit
 * (connectors/s3-jsonl-sink, SinkWatermark.java) beside the hour folders, under the raw transactions
 * prefix; both names come from contracts/pipeline-layout.json.
 */
export { SINK_WATERMARK_FOLDER, SINK_WATERMARK_PREFIX };

const HOUR_MS = 3_600_000;

/** A watermark object as stored: its key and its text. */
export interface SinkWatermarkObject {
  readonly key: string;
  readonly body: string;
}

/** What start-run reads from a watermark. */
export interface SinkWatermark {
  readonly topic: string;
  readonly partition: number;
  /** Every record of the partition whose event time is before this instant is in S3 (exclusive). */
  readonly flushedThrough: Date;
  readonly writtenAt: Date;
}

/** How a closed-by-time hour stands against the sink's watermarks. */
export type HourReadiness =
  /** Every known partition's watermark is at or past the end of the hour. */
  | { readonly ready: true; readonly by: 'sink-flushed' }
  /**
   * The close delay has passed since the hour ended: the hour runs even though the partitions in
   * `behind` had not flushed it (or no watermark exists); objects that land later make start-run
   * re-run the hour (late data).
   */
  | { readonly ready: true; readonly by: 'close-delay'; readonly behind: readonly string[] }
  /** Still waiting: the partitions in `behind` have not flushed the hour and the close delay has not passed. */
  | { readonly ready: false; readonly behind: readonly string[] };

/** The watermarks that could be read, and what was wrong with the others (named by key). */
export interface SinkWatermarks {
  readonly marks: readonly SinkWatermark[];
  readonly unreadable: readonly string[];
}

/** Parses the objects; a malformed one is reported, not thrown: it only holds its partition back. */
export function readSinkWatermarks(objects: readonly SinkWatermarkObject[]): SinkWatermarks {
  const marks: SinkWatermark[] = [];
  const unreadable: string[] = [];
  for (const object of objects) {
    const mark = parseSinkWatermark(object.body);
    if (typeof mark === 'string') unreadable.push(`${object.key}: ${mark}`);
    else marks.push(mark);
  }
  return { marks, unreadable };
}

/** The watermark in `body`, or what is wrong with it. */
export function parseSinkWatermark(body: string): SinkWatermark | string {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    return 'not a JSON object';
  const doc = document as Record<string, unknown>;
  if (typeof doc.topic !== 'string' || doc.topic === '') return '"topic" must be a non-empty string';
  if (typeof doc.partition !== 'number' || !Number.isInteger(doc.partition) || doc.partition < 0) {
    return '"partition" must be a whole number >= 0';
  }
  const flushedThrough = instant(doc.flushedThrough);
  if (flushedThrough === undefined) return '"flushedThrough" must be an ISO-8601 instant';
  const writtenAt = instant(doc.writtenAt);
  if (writtenAt === undefined) return '"writtenAt" must be an ISO-8601 instant';
  return { topic: doc.topic, partition: doc.partition, flushedThrough, writtenAt };
}

function instant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Whether start-run may run `window` at `now`: once every partition has flushed it, and at the
 * latest `closeDelayMinutes` after its end (a stuck or removed partition must not hold every hour
 * back forever; late-data re-runs cover what it writes later). With no watermark at all (a sink
 * older than watermarks) only the delay decides, as before watermarks.
 *
 * A partition's topic has partitions 0..n-1, so a gap below the highest partition seen is a
 * partition whose watermark is missing: it holds the hour back like one that is behind. A missing
 * partition above the highest cannot be told apart from one that does not exist.
 */
export function hourReadiness(
  window: HourWindow,
  watermarks: SinkWatermarks,
  now: Date,
  closeDelayMinutes: number,
): HourReadiness {
  const hourEnd = window.start.getTime() + HOUR_MS;
  const delayPassed = now.getTime() >= hourEnd + closeDelayMinutes * 60_000;
  if (watermarks.marks.length === 0 && watermarks.unreadable.length === 0) {
    const behind = ['no sink watermark'];
    return delayPassed ? { ready: true, by: 'close-delay', behind } : { ready: false, behind };
  }
  const behind = [...partitionsBehind(watermarks.marks, hourEnd), ...watermarks.unreadable];
  if (behind.length === 0 && now.getTime() >= hourEnd) return { ready: true, by: 'sink-flushed' };
  if (delayPassed) return { ready: true, by: 'close-delay', behind };
  return { ready: false, behind: behind.length > 0 ? behind : ['the hour has not ended'] };
}

/** `<topic>-<partition> (...)` for each partition that has not flushed everything before `hourEnd`. */
function partitionsBehind(marks: readonly SinkWatermark[], hourEnd: number): string[] {
  const byTopic = new Map<string, Map<number, SinkWatermark>>();
  for (const mark of marks) {
    const partitions = byTopic.get(mark.topic) ?? new Map<number, SinkWatermark>();
    partitions.set(mark.partition, mark);
    byTopic.set(mark.topic, partitions);
  }
  const behind: string[] = [];
  for (const [topic, partitions] of [...byTopic].sort(([a], [b]) => a.localeCompare(b))) {
    const highest = Math.max(...partitions.keys());
    for (let partition = 0; partition <= highest; partition += 1) {
      const mark = partitions.get(partition);
      if (mark === undefined) behind.push(`${topic}-${partition} (no watermark)`);
      else if (mark.flushedThrough.getTime() < hourEnd) {
        behind.push(`${topic}-${partition} (flushed through ${mark.flushedThrough.toISOString()})`);
      }
    }
  }
  return behind;
}
