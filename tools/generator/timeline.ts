/**
 * The simulated period cut into one-hour buckets aligned on whole UTC hours, with the local clock
 * (hour, weekday, day, month end, UTC offset) of each bucket precomputed once. UTC offsets change
 * on whole hours, so the local clock is constant within a bucket. A period that does not start or
 * end on a whole hour has a partial first/last bucket: events fall in [low, low + span) of it.
 */
import { centralEuropeanOffsetSeconds, localClock, SECONDS_PER_DAY, SECONDS_PER_HOUR } from './time';

export interface Timeline {
  start: number;
  end: number;
  /** start rounded down to the whole UTC hour: where bucket 0 begins */
  origin: number;
  buckets: number;
  /** seconds into the bucket where the period begins (non-zero only in a partial first bucket) */
  low: Uint16Array;
  /** seconds of the bucket inside the period (3600 except in partial first/last buckets) */
  span: Uint16Array;
  localHour: Uint8Array;
  weekday: Uint8Array;
  localDay: Int32Array;
  monthEnd: Uint8Array;
  utcOffset: Int32Array;
}

export function bucketStart(timeline: Timeline, bucket: number): number {
  return timeline.origin + bucket * SECONDS_PER_HOUR;
}

/** Bucket holding the instant. */
export function bucketOf(timeline: Timeline, epochSeconds: number): number {
  return Math.floor((epochSeconds - timeline.origin) / SECONDS_PER_HOUR);
}

export function buildTimeline(start: number, days: number): Timeline {
  const end = start + days * SECONDS_PER_DAY;
  const origin = Math.floor(start / SECONDS_PER_HOUR) * SECONDS_PER_HOUR;
  const buckets = Math.ceil((end - origin) / SECONDS_PER_HOUR);
  const timeline: Timeline = {
    start,
    end,
    origin,
    buckets,
    low: new Uint16Array(buckets),
    span: new Uint16Array(buckets),
    localHour: new Uint8Array(buckets),
    weekday: new Uint8Array(buckets),
    localDay: new Int32Array(buckets),
    monthEnd: new Uint8Array(buckets),
    utcOffset: new Int32Array(buckets),
  };
  for (let b = 0; b < buckets; b++) {
    const at = origin + b * SECONDS_PER_HOUR;
    const from = Math.max(start, at);
    const to = Math.min(end, at + SECONDS_PER_HOUR);
    timeline.low[b] = from - at;
    timeline.span[b] = to - from;
    const clock = localClock(at);
    timeline.localHour[b] = clock.hour;
    timeline.weekday[b] = clock.weekday;
    timeline.localDay[b] = clock.dayNumber;
    timeline.monthEnd[b] = clock.isMonthEnd ? 1 : 0;
    timeline.utcOffset[b] = centralEuropeanOffsetSeconds(at);
  }
  return timeline;
}
