import { rawHourPrefix } from '../../lib/shared/pipeline-layout';
import { PermanentError } from '../shared/errors';

/** One closed UTC hour of raw data. */
export interface HourWindow {
  /** `YYYY-MM-DDTHH`. */
  readonly id: string;
  /** First instant of the hour. */
  readonly start: Date;
  /** Raw-zone key prefix of the hour (contracts/pipeline-layout.json). */
  readonly rawPrefix: string;
}

const HOUR_MS = 3_600_000;
const WINDOW_ID = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})$/;

/** The window containing `instant`. */
export function windowAt(instant: Date): HourWindow {
  const start = new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS);
  const yyyy = String(start.getUTCFullYear()).padStart(4, '0');
  const mm = pad(start.getUTCMonth() + 1);
  const dd = pad(start.getUTCDate());
  const hh = pad(start.getUTCHours());
  return {
    id: `${yyyy}-${mm}-${dd}T${hh}`,
    start,
    rawPrefix: rawHourPrefix(start),
  };
}

/** Parses `YYYY-MM-DDTHH` (UTC), rejecting impossible dates such as 2024-02-30T10. */
export function parseWindowId(id: string): HourWindow {
  const match = WINDOW_ID.exec(id);
  const fix = "use the form 'YYYY-MM-DDTHH' in UTC, e.g. '2024-05-01T13'";
  if (!match) throw new PermanentError(`window ${JSON.stringify(id)} is not a valid hour: ${fix}`);
  const [year, month, day, hour] = match.slice(1).map(Number);
  // Date.UTC reads the years 0-99 as 1900-1999; setUTCFullYear takes every four-digit year as written.
  const start = new Date(0);
  start.setUTCFullYear(year, month - 1, day);
  start.setUTCHours(hour);
  if (start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day || hour > 23) {
    throw new PermanentError(`window ${JSON.stringify(id)} is not a real hour: ${fix}`);
  }
  return windowAt(start);
}

/**
 * The `count` most recent hours that closed at least `closeDelayMinutes` before
 * `now`, newest first. The delay leaves the S3 sink time to flush the hour's
 * last records; the look-back lets a run missed by one schedule tick (or a
 * schedule slower than hourly) be picked up by the next.
 */
export function closedWindows(now: Date, closeDelayMinutes: number, count: number): HourWindow[] {
  const latestClosedHourEnd = Math.floor((now.getTime() - closeDelayMinutes * 60_000) / HOUR_MS) * HOUR_MS;
  const windows: HourWindow[] = [];
  for (let i = 1; i <= count; i += 1) {
    windows.push(windowAt(new Date(latestClosedHourEnd - i * HOUR_MS)));
  }
  return windows;
}

/** True when the hour ended at least `closeDelayMinutes` before `now`. */
export function isClosed(window: HourWindow, now: Date, closeDelayMinutes: number): boolean {
  return window.start.getTime() + HOUR_MS + closeDelayMinutes * 60_000 <= now.getTime();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
