/**
 * The hour windows start-run decides to run, pinned at their edges: the instant an hour begins, the
 * millisecond the close delay ends, hours 00 and 23, month, year and leap-day boundaries, instants
 * before 1970, and a European DST change (the windows are UTC, so nothing may shift there).
 * `make mutation` runs these against mutants of lambda/start-run/windows.ts.
 */
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../lambda/shared/errors';
import {
  closedWindows,
  type HourWindow,
  isClosed,
  parseWindowId,
  windowAt,
} from '../../lambda/start-run/windows';

const MS = 1;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const ids = (windows: HourWindow[]): string[] => windows.map((w) => w.id);

describe('windowAt: the hour an instant belongs to', () => {
  it.each([
    ['2024-05-01T09:59:59.999Z', '2024-05-01T09'],
    ['2024-05-01T10:00:00.000Z', '2024-05-01T10'],
    ['2024-05-01T10:00:00.001Z', '2024-05-01T10'],
    ['2024-05-01T10:59:59.999Z', '2024-05-01T10'],
  ])('%s is in %s', (instant, id) => {
    expect(windowAt(at(instant)).id).toBe(id);
  });

  it('starts the window at the first millisecond of the hour', () => {
    expect(windowAt(at('2024-05-01T10:59:59.999Z')).start.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(windowAt(at('2024-05-01T10:00:00.000Z')).start.toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });

  it('names the first and last hour of a year with zero-padded parts', () => {
    expect(windowAt(at('2024-12-31T23:59:59.999Z'))).toEqual({
      id: '2024-12-31T23',
      start: at('2024-12-31T23:00:00Z'),
      rawPrefix: 'transactions/year=2024/month=12/day=31/hour=23/',
    });
    expect(windowAt(at('2025-01-01T00:00:00.000Z'))).toEqual({
      id: '2025-01-01T00',
      start: at('2025-01-01T00:00:00Z'),
      rawPrefix: 'transactions/year=2025/month=01/day=01/hour=00/',
    });
  });

  it('pads years below 1000 to four digits', () => {
    const year999 = new Date(0);
    year999.setUTCFullYear(999, 0, 1);
    expect(windowAt(year999)).toMatchObject({
      id: '0999-01-01T00',
      rawPrefix: 'transactions/year=0999/month=01/day=01/hour=00/',
    });
  });

  it('floors instants before 1970 to their own hour, not the next one', () => {
    expect(windowAt(at('1969-12-31T23:30:00Z')).id).toBe('1969-12-31T23');
    expect(windowAt(at('1969-12-31T23:00:00Z')).start.toISOString()).toBe('1969-12-31T23:00:00.000Z');
  });

  it('counts 24 distinct UTC hours on a day when European clocks change', () => {
    // 2024-03-31: CET -> CEST at 01:00 UTC; 2024-10-27: CEST -> CET at 01:00 UTC.
    for (const day of ['2024-03-31', '2024-10-27']) {
      const hours = ids(closedWindows(at(`${day}T23:59:59.999Z`), 0, 23));
      expect(new Set(hours).size).toBe(23);
      expect(hours[0]).toBe(`${day}T22`);
      expect(hours[22]).toBe(`${day}T00`);
      expect(hours).toContain(`${day}T01`);
      expect(hours).toContain(`${day}T02`);
    }
  });
});

describe('closedWindows: the hours a tick may run', () => {
  it('closes an hour exactly when the delay has passed after its end', () => {
    const tenPast = at('2024-05-01T12:10:00.000Z');
    expect(ids(closedWindows(tenPast, 10, 1))).toEqual(['2024-05-01T11']);
    expect(ids(closedWindows(new Date(tenPast.getTime() - MS), 10, 1))).toEqual(['2024-05-01T10']);
    expect(ids(closedWindows(new Date(tenPast.getTime() + MS), 10, 1))).toEqual(['2024-05-01T11']);
  });

  it('with no delay, closes an hour at the first millisecond of the next', () => {
    expect(ids(closedWindows(at('2024-05-01T12:00:00.000Z'), 0, 1))).toEqual(['2024-05-01T11']);
    expect(ids(closedWindows(at('2024-05-01T11:59:59.999Z'), 0, 1))).toEqual(['2024-05-01T10']);
  });

  it('handles a delay longer than an hour', () => {
    expect(ids(closedWindows(at('2024-05-01T12:29:59.999Z'), 90, 1))).toEqual(['2024-05-01T09']);
    expect(ids(closedWindows(at('2024-05-01T12:30:00.000Z'), 90, 1))).toEqual(['2024-05-01T10']);
  });

  it('returns exactly `count` consecutive hours, newest first', () => {
    const now = at('2024-05-01T12:15:00Z');
    expect(closedWindows(now, 10, 0)).toEqual([]);
    expect(ids(closedWindows(now, 10, 3))).toEqual(['2024-05-01T11', '2024-05-01T10', '2024-05-01T09']);
    const day = closedWindows(now, 10, 24);
    expect(day).toHaveLength(24);
    day.forEach((window, i) => {
      expect(window.start.getTime()).toBe(at('2024-05-01T11:00:00Z').getTime() - i * HOUR);
    });
  });

  it('looks back across midnight, a month end and a year end', () => {
    expect(ids(closedWindows(at('2025-01-01T01:10:00Z'), 10, 3))).toEqual([
      '2025-01-01T00',
      '2024-12-31T23',
      '2024-12-31T22',
    ]);
    expect(ids(closedWindows(at('2024-03-01T00:10:00Z'), 10, 2))).toEqual(['2024-02-29T23', '2024-02-29T22']);
  });
});

describe('isClosed: the limit of a backfill', () => {
  const eleven = parseWindowId('2024-05-01T11');

  it('is closed from the millisecond the delay ends after the hour, not before', () => {
    expect(isClosed(eleven, at('2024-05-01T12:10:00.000Z'), 10)).toBe(true);
    expect(isClosed(eleven, at('2024-05-01T12:09:59.999Z'), 10)).toBe(false);
    expect(isClosed(eleven, at('2024-05-01T12:00:00.000Z'), 0)).toBe(true);
    expect(isClosed(eleven, at('2024-05-01T11:59:59.999Z'), 0)).toBe(false);
    expect(isClosed(eleven, at('2024-05-01T11:30:00.000Z'), 0)).toBe(false);
  });

  it('agrees with closedWindows at every millisecond around the edge', () => {
    for (const delay of [0, 10, 90]) {
      const edge = at('2024-05-01T12:00:00Z').getTime() + delay * MINUTE;
      for (const offset of [-1, 0, 1]) {
        const now = new Date(edge + offset);
        const [newest] = closedWindows(now, delay, 1);
        expect(isClosed(newest, now, delay)).toBe(true);
        const next = windowAt(new Date(newest.start.getTime() + HOUR));
        expect(isClosed(next, now, delay)).toBe(false);
      }
    }
  });
});

describe('parseWindowId: the hour a backfill names', () => {
  it.each([
    '2024-05-01T00',
    '2024-05-01T23',
    '2024-02-29T12',
    '2000-02-29T00',
    '2024-12-31T23',
    '2024-01-01T00',
  ])('accepts %s and names the same hour back', (id) => {
    const window = parseWindowId(id);
    expect(window.id).toBe(id);
    expect(window.start.toISOString()).toBe(`${id}:00:00.000Z`);
  });

  // Date.UTC would read the years 0-99 as 1900-1999: 0099-01-01T00 came back as 1999-01-01T00.
  it.each([
    ['0000-01-01T00', 'year 0, the first a four-digit id can name'],
    ['0000-02-29T00', 'year 0 is a leap year (1900 is not)'],
    ['0004-02-29T23', 'year 4 is a leap year (1904 too, but 4 is not 1904)'],
    ['0099-01-01T00', 'the last year Date.UTC moves'],
    ['0099-12-31T23', 'its last hour'],
    ['0100-01-01T00', 'the first year Date.UTC reads as written'],
    ['1969-12-31T23', 'the last hour before 1970'],
    ['9999-12-31T23', 'the last hour a four-digit id can name'],
  ])('reads the year of %s as written (%s)', (id) => {
    const window = parseWindowId(id);
    expect(window.id).toBe(id);
    expect(window.start.toISOString()).toBe(`${id}:00:00.000Z`);
    expect(window.rawPrefix).toBe(
      `transactions/year=${id.slice(0, 4)}/month=${id.slice(5, 7)}/day=${id.slice(8, 10)}/hour=${id.slice(11)}/`,
    );
  });

  it.each([
    '2024-05-01T24',
    '0099-02-29T00',
    '0100-02-29T00',
    '0000-02-30T00',
    '0099-12-31T24',
    '2024-05-31T24',
    '2024-12-31T24',
    '2024-05-01T99',
    '2024-02-30T10',
    '2023-02-29T10',
    '2100-02-29T10',
    '2024-04-31T10',
    '2024-13-01T10',
    '2024-00-01T10',
    '2024-05-00T10',
    '2024-05-32T10',
  ])('rejects the impossible hour %s, naming the form', (id) => {
    expect(() => parseWindowId(id)).toThrow(PermanentError);
    expect(() => parseWindowId(id)).toThrow(
      `window "${id}" is not a real hour: use the form 'YYYY-MM-DDTHH' in UTC, e.g. '2024-05-01T13'`,
    );
  });

  it.each([
    '',
    '2024-05-01 10',
    '2024-05-01t10',
    '2024-05-01T1',
    '2024-05-01T100',
    '2024-5-01T10',
    '2024-05-1T10',
    '24-05-01T10',
    '02024-05-01T10',
    ' 2024-05-01T10',
    '2024-05-01T10 ',
    'x2024-05-01T10',
    '2024-05-01T10x',
    '2024-05-01T10:00',
    '2024-05-01TAB',
    'abcd-ef-ghTij',
  ])('rejects the malformed id %j, naming the form', (id) => {
    expect(() => parseWindowId(id)).toThrow(PermanentError);
    expect(() => parseWindowId(id)).toThrow(
      `window ${JSON.stringify(id)} is not a valid hour: use the form 'YYYY-MM-DDTHH' in UTC, e.g. '2024-05-01T13'`,
    );
  });
});
