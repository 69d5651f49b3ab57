import { describe, expect, it } from 'vitest';
import type { LiveComparison } from '../../local/pipeline/live-reconciliation';
import { renderHtmlReport } from '../../local/pipeline/report-html';
import type { ShownView } from '../../local/pipeline/reports';
import type { DemoViewSpec } from '../../local/pipeline/report-views';

const spec = (over: Partial<DemoViewSpec>): DemoViewSpec => ({
  kind: 'bars',
  values: [{ column: 'rate', aggregate: null, name: 'rate' }],
  by: ['atm_id'],
  order: [],
  limit: null,
  percent: false,
  engine: 'warehouse',
  ...over,
});

const view = (report: string, over: Partial<DemoViewSpec>, rows: ShownView['rows']): ShownView => ({
  report,
  spec: spec(over),
  source: `warehouse banking.v_${report}`,
  rows,
});

const live: LiveComparison = {
  ok: true,
  matched: 0,
  alerts: [],
  onlyBatch: [],
  onlyLive: [],
  latency: { count: 0, p50Ms: null, p99Ms: null },
  seedsNotReadLive: [],
};

describe('the demo HTML report', () => {
  const html = renderHtmlReport(
    {
      views: [
        view('rates', { percent: true }, [{ atm_id: 'A1', rate: '0.125' }]),
        view(
          'hourly',
          { kind: 'columns', values: [{ column: 'n', aggregate: 'sum', name: 'n' }], by: ['h'] },
          [{ h: '7', n: '12' }],
        ),
        view('printed_only', { kind: 'table' }, [{ atm_id: 'A9', rate: '1' }]),
      ],
      fraudReport: 'flags_report',
      fraudRows: [],
    },
    [],
    live,
    new Date('2026-01-01T00:00:00Z'),
  );

  it('charts every bars and columns view, titled with its report and what it adds up', () => {
    expect(html).toContain('<h2>rates: rate by atm_id (warehouse banking.v_rates)</h2>');
    expect(html).toContain('<h2>hourly: sum of n by h (warehouse banking.v_hourly)</h2>');
    expect(html).toContain('12.50 %');
    expect(html).toContain('<title>7: 12</title>');
  });

  it('leaves the tables to the terminal, and names the batch report of the live comparison', () => {
    expect(html).not.toContain('printed_only');
    expect(html).toContain('live consumer beside the batch (flags_report)');
    expect(html).toContain('live alerts = batch flags_report');
  });
});
