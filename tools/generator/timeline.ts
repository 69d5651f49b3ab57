/**
 * The simulated period cut into one-hour buckets, with the local clock (hour, weekday, day, month
 * end, UTC offset) of each bucket precomputed once. Offsets change on whole hours, so the local
 * clock is constant within a bucket that starts on a whole UTC hour.
 */
import { centralEuropeanOffsetSeconds, localClock, SECONDS_PER_DAY, SECONDS_PER_HOUR } from './time';

export interface Timeline {
  start: number;
  end: number;
  buckets: number;
  localHour: Uint8Array;
  weekday: Uint8Array;
  localDay: Int32Array;
  monthEnd: Uint8Array;
  utcOffset: Int32Array;
}

export function bucketStart(timeline: Timeline, bucket: number): number {
  return timeline.start + bucket * SECONDS_PER_HOUR;
}

export function buildTimeline(start: number, days: number): Timeline {
  const buckets = Math.round(days * 24);
  const timeline: Timeline = {
    start,
    end: start + days * SECONDS_PER_DAY,
    buckets,
    localHour: new Uint8Array(buckets),
    weekday: new Uint8Array(buckets),
    localDay: new Int32Array(buckets),
    monthEnd: new Uint8Array(buckets),
    utcOffset: new Int32Array(buckets),
  };
  for (let b = 0; b < buckets; b++) {
    const at = start + b * SECONDS_PER_HOUR;
    const clock = localClock(at);
    timeline.localHour[b] = clock.hour;
    timeline.weekday[b] = clock.weekday;
    timeline.localDay[b] = clock.dayNumber;
    timeline.monthEnd[b] = clock.isMonthEnd ? 1 : 0;
    timeline.utcOffset[b] = centralEuropeanOffsetSeconds(at);
  }
  return timeline;
}
