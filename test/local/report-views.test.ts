import { describe, expect, it } from 'vitest';
import { type DemoViewSpec, chartLabel, decimalSum, shapeRows } from '../../local/pipeline/report-views';

const spec = (over: Partial<DemoViewSpec>): DemoViewSpec => ({
  kind: 'table',
  values: [],
  by: [],
  order: [],
  limit: null,
  percent: false,
  engine: 'warehouse',
  ...over,
});

const rows = [
  { atm_id: 'A2', txn_hour: '9', txn_count: '3', total_amount: '10.50', city: 'Brno' },
  { atm_id: 'A1', txn_hour: '10', txn_count: '5', total_amount: '0.25', city: 'Praha' },
  { atm_id: 'A1', txn_hour: '9', txn_count: '4', total_amount: '7', city: 'Praha' },
];

describe('a demo view shapes a report as its definition says', () => {
  it('sums per group, ordered by the group columns as numbers', () => {
    const hourly = spec({
      kind: 'columns',
      values: [{ column: 'txn_count', aggregate: 'sum', name: 'txn_count' }],
      by: ['txn_hour'],
      order: [{ column: 'txn_hour', descending: false }],
    });
    expect(shapeRows(hourly, rows)).toEqual([
      { txn_hour: '9', txn_count: '7' },
      { txn_hour: '10', txn_count: '5' },
    ]);
  });

  it('counts the rows of each group', () => {
    const byCity = spec({
      values: [{ column: null, aggregate: 'count', name: 'count' }],
      by: ['city'],
      order: [{ column: 'count', descending: true }],
    });
    expect(shapeRows(byCity, rows)).toEqual([
      { city: 'Praha', count: '2' },
      { city: 'Brno', count: '1' },
    ]);
  });

  it('orders plain rows by any column, each direction, before the limit, and keeps only its columns', () => {
    const worst = spec({
      values: [{ column: 'txn_count', aggregate: null, name: 'txn_count' }],
      by: ['atm_id'],
      order: [
        { column: 'total_amount', descending: true },
        { column: 'atm_id', descending: false },
      ],
      limit: 2,
    });
    expect(shapeRows(worst, rows)).toEqual([
      { atm_id: 'A2', txn_count: '3' },
      { atm_id: 'A1', txn_count: '4' },
    ]);
  });

  it('sums money exactly, at the largest scale of its terms', () => {
    expect(decimalSum(['10.50', '0.25', '7'])).toBe('17.75');
    expect(decimalSum(['0.1', '0.2'])).toBe('0.3');
    expect(decimalSum(['-1.05', '0.05'])).toBe('-1.00');
    expect(decimalSum(['-0.05'])).toBe('-0.05');
    expect(decimalSum(['1', ''])).toBe('1');
    expect(() => decimalSum(['1e3'])).toThrow(/not a number/);
  });

  it('labels a bar with a year and month as a date key, other labels joined by spaces', () => {
    expect(chartLabel(spec({ by: ['year', 'month'] }), { year: '2016', month: '3' })).toBe('2016-03');
    expect(chartLabel(spec({ by: ['atm_id', 'city'] }), { atm_id: 'A1', city: 'Praha' })).toBe('A1 Praha');
    expect(chartLabel(spec({ by: ['txn_hour'] }), { txn_hour: '7' })).toBe('7');
  });
});
