import { durationText, identityText, type LiveComparison } from './live-reconciliation';
import type { ReconciliationLine } from './reconciliation';
import type { ReportData, ShownView } from './reports';
import { chartLabel } from './report-views';

interface Bar {
  readonly label: string;
  readonly value: number;
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A horizontal bar chart as inline SVG (no scripts, no external files). */
function barChart(
  title: string,
  bars: Bar[],
  format: (v: number) => string = (v) => v.toLocaleString('en'),
): string {
  if (bars.length === 0) return `<h2>${escapeHtml(title)}</h2><p>No data.</p>`;
  const rowHeight = 22;
  const labelWidth = 190;
  const barWidth = 520;
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const height = bars.length * rowHeight + 10;
  const rows = bars
    .map((bar, i) => {
      const y = i * rowHeight + 5;
      const w = Math.max(1, (bar.value / max) * barWidth);
      return (
        `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowHeight - 6}" fill="#2f6fb0"/>` +
        `<text x="${labelWidth + w + 6}" y="${y + 15}">${escapeHtml(format(bar.value))}</text>`
      );
    })
    .join('');
  return (
    `<h2>${escapeHtml(title)}</h2>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 120}" height="${height}" ` +
    `font-family="sans-serif" font-size="12" role="img" aria-label="${escapeHtml(title)}">${rows}</svg>`
  );
}

/** A column chart (hours 0-23 etc.) as inline SVG. */
function columnChart(title: string, bars: Bar[]): string {
  if (bars.length === 0) return `<h2>${escapeHtml(title)}</h2><p>No data.</p>`;
  const colWidth = 28;
  const plotHeight = 200;
  const max = Math.max(...bars.map((b) => b.value), 1);
  const cols = bars
    .map((bar, i) => {
      const h = (bar.value / max) * plotHeight;
      const x = 40 + i * colWidth;
      return (
        `<rect x="${x}" y="${(plotHeight - h + 10).toFixed(1)}" width="${colWidth - 4}" height="${h.toFixed(1)}" fill="#3c9d5d">` +
        `<title>${escapeHtml(bar.label)}: ${bar.value}</title></rect>` +
        `<text x="${x + (colWidth - 4) / 2}" y="${plotHeight + 26}" text-anchor="middle">${escapeHtml(bar.label)}</text>`
      );
    })
    .join('');
  return (
    `<h2>${escapeHtml(title)}</h2>` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${60 + bars.length * colWidth}" height="${plotHeight + 40}" ` +
    `font-family="sans-serif" font-size="11" role="img" aria-label="${escapeHtml(title)}">` +
    `<text x="4" y="18">${max.toLocaleString('en')}</text>${cols}</svg>`
  );
}

/**
 * Every alert of the live comparison in one table, from the same comparison as the terminal's line:
 * rule, card, window, on which side it is, and its latency when this run's consumer raised it.
 */
function liveAlertsTable(live: LiveComparison, batchReport: string): string {
  const mark = (on: boolean): string => (on ? '&#10003;' : '&#10007;');
  const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  const rows = live.alerts
    .map(
      (alert) =>
        `<tr${alert.batch && alert.live ? '' : ' class="diff"'}><td>${escapeHtml(alert.rule)}</td>` +
        `<td>${escapeHtml(alert.cardId)}</td><td>${iso(alert.windowStart)} to ${iso(alert.windowEnd)}</td>` +
        `<td>${mark(alert.batch)}</td><td>${mark(alert.live)}</td>` +
        `<td class="n">${alert.latencyMs === undefined ? '' : durationText(alert.latencyMs)}</td></tr>`,
    )
    .join('');
  const verdict = live.ok
    ? `live alerts = batch ${batchReport}: ${live.matched.toLocaleString('en')} alerts on both sides`
    : `live alerts &#8800; batch ${batchReport}: ${live.onlyBatch.length} only in the batch, ` +
      `${live.onlyLive.length} only live (first: ${escapeHtml([...live.onlyBatch, ...live.onlyLive].slice(0, 3).map(identityText).join('; '))})`;
  return (
    `<h2>Fraud alerts: live consumer beside the batch (${batchReport})</h2>` +
    `<p>${verdict}. Latency, from the record's Kafka timestamp to its alert stored, for the alerts this run ` +
    `raised: p50 ${durationText(live.latency.p50Ms)}, p99 ${durationText(live.latency.p99Ms)}. ` +
    'Window times UTC.</p>' +
    '<table><tr><th>rule</th><th>card</th><th>window</th><th>batch</th><th>live</th><th>latency</th></tr>' +
    `${rows}</table>`
  );
}

/** A `bars` or `columns` view as its chart, titled with the report and what the chart adds up. */
function chartOf(view: ShownView): string {
  const shown = view.spec.values[0];
  const value = shown.name;
  const measure =
    shown.aggregate === 'count' ? 'rows' : shown.aggregate === 'sum' ? `sum of ${value}` : value;
  const title = `${view.report}: ${measure} by ${view.spec.by.join(', ')} (${view.source})`;
  const bars = view.rows.map((row) => ({
    label: chartLabel(view.spec, row),
    value: Number(row[value] ?? 0),
  }));
  if (view.spec.kind === 'columns') return columnChart(title, bars);
  const format = view.spec.percent
    ? (v: number): string => `${(v * 100).toFixed(2)} %`
    : (v: number): string => v.toLocaleString('en', { maximumFractionDigits: 2 });
  return barChart(title, bars, format);
}

export function renderHtmlReport(
  data: ReportData,
  reconciliation: ReconciliationLine[],
  live: LiveComparison,
  generatedAt: Date,
): string {
  const recon = reconciliation
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.label)}</td><td class="n">${line.actual.toLocaleString('en')}</td>` +
        `<td class="n">${line.expected.toLocaleString('en')}</td><td>${line.ok ? '&#10003;' : '&#10007;'}</td></tr>`,
    )
    .join('');
  const sections = [
    ...data.views.filter((view) => view.spec.kind !== 'table').map(chartOf),
    liveAlertsTable(live, data.fraudReport),
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bankpipe local twin report</title>
<style>body{font-family:sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px}.n{text-align:right}.diff{background:#fde2e2}h2{margin-top:1.6em;font-size:1.1em}</style></head>
<body><h1>bankpipe: local twin run report</h1>
<p>Generated ${escapeHtml(generatedAt.toISOString())}. Figures come from the PostgreSQL warehouse (Redshift stand-in)
and the DuckDB Athena stand-in after the run.</p>
<h2>Reconciliation</h2><table><tr><th>count</th><th>actual</th><th>expected</th><th></th></tr>${recon}</table>
${sections.join('\n')}
</body></html>
`;
}
