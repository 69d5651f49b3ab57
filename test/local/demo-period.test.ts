import { describe, expect, it } from 'vitest';
import { DEMO_PERIOD_MONTHS, FIRST_PERIOD_START, nextDemoPeriod } from '../../local/pipeline/demo-period';

const DAY = 86_400;
const NOW = new Date('2026-12-02T12:00:00Z');

describe('the period of the next demo seed', () => {
  it('starts the first seed at the fixed start, six months less a day', () => {
    expect(FIRST_PERIOD_START.toISOString()).toBe('2016-01-01T00:00:00.000Z');
    expect(DEMO_PERIOD_MONTHS).toBe(6);
    // 2016-01-01 .. 2016-06-30 is 182 days; the period leaves out the last one.
    expect(nextDemoPeriod([], DAY, NOW)).toEqual({ start: '2016-01-01', days: 181 });
  });

  it("starts the next seed on the month after the previous one's, a rule window after its last transaction", () => {
    const previous = { first: '2016-01-01T00:03:00Z', last: '2016-06-29T23:59:59Z' };
    expect(nextDemoPeriod([previous], DAY, NOW)).toEqual({ start: '2016-07-01', days: 183 });
  });

  it('moves a month further when the last transaction is less than a rule window before the month', () => {
    const late = { first: '2016-01-01T00:03:00Z', last: '2016-06-30T00:00:01Z' };
    expect(nextDemoPeriod([late], DAY, NOW).start).toBe('2016-08-01');
  });

  it('follows the latest of all earlier seeds, whatever their order', () => {
    const spans = [
      { first: '2024-01-01T00:00:00Z', last: '2024-01-30T23:00:00Z' },
      { first: '2016-01-01T00:00:00Z', last: '2016-06-29T23:00:00Z' },
    ];
    expect(nextDemoPeriod(spans, DAY, NOW).start).toBe('2024-02-01');
  });

  it('refuses a period that would end after now, naming the fix', () => {
    const recent = { first: '2026-05-01T00:00:00Z', last: '2026-10-29T00:00:00Z' };
    expect(() => nextDemoPeriod([recent], DAY, NOW)).toThrow(
      /2026-11-01 to 2027-04-30, which ends after today.*`make clean` starts this twin over from 2016-01-01/,
    );
  });
});
