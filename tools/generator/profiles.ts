/**
 * Usage patterns by local hour and weekday (Monday = 0). Each profile is normalised so that its
 * average over a week is 1: a category's weight is then its average share of traffic, and the
 * profile only moves that traffic around the clock. The hour-by-weekday products are reference
 * data in hour-profiles.json; branch opening hours are a rule, so they stay code.
 */
import hourProfiles from './hour-profiles.json';

export type HourProfile = Float64Array; // 7 * 24 values, index = weekday * 24 + hour

function profileFrom(weight: (weekday: number, hour: number) => number): HourProfile {
  const profile = new Float64Array(7 * 24);
  let sum = 0;
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      const value = weight(d, h);
      profile[d * 24 + h] = value;
      sum += value;
    }
  }
  const mean = sum / profile.length;
  if (mean <= 0) throw new Error('profile must have some non-zero weight');
  for (let i = 0; i < profile.length; i++) profile[i] = (profile[i] as number) / mean;
  return profile;
}

/** A profile that is an hour-of-day curve scaled by a day-of-week factor. */
function hourTimesWeekday(name: string, hours: readonly number[], weekdays: readonly number[]): HourProfile {
  if (hours.length !== 24 || weekdays.length !== 7) {
    throw new Error(`hour-profiles.json: ${name} needs 24 hours and 7 weekdays`);
  }
  return profileFrom((d, h) => (hours[h] as number) * (weekdays[d] as number));
}

function hourTimesWeekdayProfiles<T extends Record<string, { hours: number[]; weekdays: number[] }>>(
  table: T,
): Record<keyof T, HourProfile> {
  const entries = Object.entries(table).map(([name, row]) => [
    name,
    hourTimesWeekday(name, row.hours, row.weekdays),
  ]);
  return Object.fromEntries(entries) as Record<keyof T, HourProfile>;
}

/** Branch counters: weekdays 8-17 (longer on Monday and Wednesday), Saturday morning in big cities. */
function branchWeight(d: number, h: number): number {
  if (d <= 4) {
    const close = d === 0 || d === 2 ? 18 : 17;
    if (h >= 8 && h < close) return h === 12 ? 0.7 : h >= 9 && h <= 11 ? 1.3 : 1;
    return 0;
  }
  return d === 5 && h >= 9 && h < 12 ? 0.35 : 0;
}

export const PROFILES = {
  ...hourTimesWeekdayProfiles(hourProfiles),
  branch: profileFrom(branchWeight),
} as const;

export function profileWeight(profile: HourProfile, weekday: number, hour: number): number {
  return profile[weekday * 24 + hour] as number;
}
