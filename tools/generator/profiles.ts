/**
 * Usage patterns by local hour and weekday (Monday = 0). Each profile is normalised so that its
 * average over a week is 1: a category's weight is then its average share of traffic, and the
 * profile only moves that traffic around the clock.
 */

export type HourProfile = Float64Array; // 7 * 24 values, index = weekday * 24 + hour

function build(hours: readonly number[], weekdays: readonly number[]): HourProfile {
  if (hours.length !== 24 || weekdays.length !== 7) throw new Error('profile needs 24 hours and 7 weekdays');
  const profile = new Float64Array(7 * 24);
  let sum = 0;
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      const value = (hours[h] as number) * (weekdays[d] as number);
      profile[d * 24 + h] = value;
      sum += value;
    }
  }
  const mean = sum / profile.length;
  if (mean <= 0) throw new Error('profile must have some non-zero weight');
  for (let i = 0; i < profile.length; i++) profile[i] = (profile[i] as number) / mean;
  return profile;
}

/** Branch counters: weekdays 8-17 (longer on Monday and Wednesday), Saturday morning in big cities. */
function branchProfile(): HourProfile {
  const profile = new Float64Array(7 * 24);
  let sum = 0;
  for (let d = 0; d < 7; d++) {
    for (let h = 0; h < 24; h++) {
      let value = 0;
      if (d <= 4) {
        const close = d === 0 || d === 2 ? 18 : 17;
        if (h >= 8 && h < close) value = h === 12 ? 0.7 : h >= 9 && h <= 11 ? 1.3 : 1;
      } else if (d === 5 && h >= 9 && h < 12) value = 0.35;
      profile[d * 24 + h] = value;
      sum += value;
    }
  }
  const mean = sum / profile.length;
  for (let i = 0; i < profile.length; i++) profile[i] = (profile[i] as number) / mean;
  return profile;
}

export const PROFILES = {
  atm: build(
    [
      0.25, 0.15, 0.1, 0.08, 0.08, 0.15, 0.4, 0.8, 1.1, 1.2, 1.3, 1.5, 1.6, 1.4, 1.3, 1.4, 1.7, 1.9, 1.8, 1.5,
      1.2, 0.9, 0.6, 0.4,
    ],
    [0.95, 0.9, 0.95, 1.0, 1.3, 1.15, 0.7],
  ),
  retail: build(
    [
      0.05, 0.03, 0.02, 0.02, 0.02, 0.05, 0.3, 0.8, 1.2, 1.4, 1.5, 1.7, 1.9, 1.6, 1.5, 1.6, 1.9, 2.1, 1.9,
      1.4, 0.9, 0.5, 0.2, 0.1,
    ],
    [0.9, 0.9, 0.95, 1.0, 1.25, 1.3, 0.6],
  ),
  online: build(
    [
      0.4, 0.25, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.1, 1.2, 1.3, 1.5, 1.8,
      2.0, 1.9, 1.5, 0.9,
    ],
    [1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 1.1],
  ),
  mobile: build(
    [
      0.3, 0.2, 0.1, 0.08, 0.08, 0.2, 0.6, 1.1, 1.3, 1.2, 1.2, 1.4, 1.6, 1.4, 1.2, 1.2, 1.4, 1.6, 1.6, 1.5,
      1.4, 1.2, 0.9, 0.5,
    ],
    [1.0, 1.0, 1.0, 1.0, 1.1, 1.0, 0.9],
  ),
  /** Outgoing transfers: office hours on weekdays, evenings at home. */
  transfersOut: build(
    [
      0.15, 0.08, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.4, 1.6, 1.5, 1.4, 1.2, 1.4, 1.4, 1.3, 1.1, 1.0, 1.0, 1.1,
      1.1, 0.9, 0.6, 0.3,
    ],
    [1.25, 1.1, 1.05, 1.05, 1.1, 0.5, 0.4],
  ),
  /** Incoming transfers: interbank clearing batches early morning and through the business day. */
  transfersIn: build(
    [
      0.1, 0.1, 0.2, 1.5, 2.5, 2.5, 1.8, 1.2, 1.2, 1.3, 1.3, 1.2, 1.2, 1.3, 1.3, 1.2, 1.0, 0.6, 0.3, 0.2, 0.1,
      0.1, 0.1, 0.1,
    ],
    [1.15, 1.1, 1.1, 1.1, 1.15, 0.2, 0.1],
  ),
  branch: branchProfile(),
} as const;

export function profileWeight(profile: HourProfile, weekday: number, hour: number): number {
  return profile[weekday * 24 + hour] as number;
}
