/**
 * Time helpers. The simulation runs in epoch seconds (UTC). Usage patterns (opening hours, busy
 * hours, weekdays) are defined in local time of the simulated bank (Europe/Prague, which shares the
 * EU daylight-saving rule with Bratislava), and timestamps are written in UTC with a trailing Z.
 */

export const SECONDS_PER_MINUTE = 60;
export const SECONDS_PER_HOUR = 3600;
export const SECONDS_PER_DAY = 86400;

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Epoch seconds of 01:00 UTC on the last Sunday of the month (EU summer-time switch instant). */
function lastSundayAt0100Utc(year: number, monthIndex: number): number {
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  const day = lastDay.getUTCDate() - lastDay.getUTCDay();
  return Date.UTC(year, monthIndex, day, 1) / 1000;
}

const dstWindowByYear = new Map<number, [number, number]>();

/** Offset of Central European (Summer) Time from UTC at the instant, in seconds. */
export function centralEuropeanOffsetSeconds(epochSeconds: number): number {
  const year = new Date(epochSeconds * 1000).getUTCFullYear();
  let window = dstWindowByYear.get(year);
  if (!window) {
    window = [lastSundayAt0100Utc(year, 2), lastSundayAt0100Utc(year, 9)];
    dstWindowByYear.set(year, window);
  }
  return epochSeconds >= window[0] && epochSeconds < window[1] ? 2 * SECONDS_PER_HOUR : SECONDS_PER_HOUR;
}

export interface LocalClock {
  /** 0..23 */
  hour: number;
  /** 0 = Monday .. 6 = Sunday */
  weekday: number;
  /** local calendar day number (days since epoch in local time) */
  dayNumber: number;
  /** true on the last local day of a month */
  isMonthEnd: boolean;
}

export function localClock(epochSeconds: number): LocalClock {
  const local = epochSeconds + centralEuropeanOffsetSeconds(epochSeconds);
  const dayNumber = Math.floor(local / SECONDS_PER_DAY);
  const hour = Math.floor((local - dayNumber * SECONDS_PER_DAY) / SECONDS_PER_HOUR);
  // 1970-01-01 was a Thursday (weekday 3 when Monday = 0).
  const weekday = (((dayNumber + 3) % 7) + 7) % 7;
  const tomorrow = new Date((dayNumber + 1) * SECONDS_PER_DAY * 1000);
  return { hour, weekday, dayNumber, isMonthEnd: tomorrow.getUTCDate() === 1 };
}

let cachedDay = Number.NaN;
let cachedDayPrefix = '';

/** "YYYY-MM-DDTHH:MM:SSZ" for whole epoch seconds; caches the date part, the hot path of every line. */
export function formatIsoSeconds(epochSeconds: number): string {
  const day = Math.floor(epochSeconds / SECONDS_PER_DAY);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 11);
  }
  let rest = epochSeconds - day * SECONDS_PER_DAY;
  const hours = Math.floor(rest / SECONDS_PER_HOUR);
  rest -= hours * SECONDS_PER_HOUR;
  const minutes = Math.floor(rest / SECONDS_PER_MINUTE);
  const seconds = rest - minutes * SECONDS_PER_MINUTE;
  return cachedDayPrefix + TWO_DIGITS[hours] + ':' + TWO_DIGITS[minutes] + ':' + TWO_DIGITS[seconds] + 'Z';
}

/** "YYYY-MM" of the UTC month of an ISO timestamp string written by formatIsoSeconds. */
export function utcMonthOf(isoTimestamp: string): string {
  return isoTimestamp.slice(0, 7);
}

/**
 * Parses --start: "YYYY-MM-DD" (midnight UTC) or a full ISO date-time with Z or an offset.
 * Returns epoch seconds, or null when the text is not such a date.
 */
export function parseStartInstant(text: string): number | null {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    const ms = Date.UTC(year, month - 1, day);
    const check = new Date(ms);
    if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
    return ms / 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
