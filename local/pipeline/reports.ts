import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { athenaPaths } from './state-machine';
import { ATHENA_STANDIN_SCRIPT, type TwinSettings } from './settings';
import { queryWarehouse, type Row } from './warehouse';

const execFileAsync = promisify(execFile);

export interface ReportData {
  readonly warehouseMonthly: Row[];
  readonly athenaMonthly: Row[];
  readonly opsTotals: Row[];
  readonly atmFailureRates: Row[];
  readonly cardTypeFailureRates: Row[];
  readonly hourlyAtmLoad: Row[];
  readonly fraudByRule: Row[];
  /** The fraud_flags report's rows (Athena stand-in): one per flagged transaction and rule. */
  readonly fraudFlags: Row[];
}

/** One report, as sql/reports/index.json lists it (generated from sql/reports/<report>.sql). */
export interface ReportEntry {
  readonly name: string;
  readonly description: string;
  readonly columns: readonly string[];
  readonly grain: readonly string[];
  /** The Athena named query, relative to the repository root. */
  readonly athenaQuery: string;
  /** `banking.v_<report>`, or null for a report the warehouse does not hold. */
  readonly warehouseView: string | null;
}

/** Where `make reports` writes the index of sql/reports, relative to the repository root. */
export const REPORT_INDEX = path.join('sql', 'reports', 'index.json');

/** Every report, read from the generated index: the demo never keeps its own list. */
export function loadReportIndex(repoRoot: string): ReportEntry[] {
  const file = path.join(repoRoot, REPORT_INDEX);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: run \`make reports\` to generate it from sql/reports/<report>.sql`);
  }
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { reports: ReportEntry[] }).reports;
}

/** The report the demo shows under `name`; a name sql/reports no longer defines is an error naming both. */
export function reportNamed(index: readonly ReportEntry[], name: string): ReportEntry {
  const entry = index.find((report) => report.name === name);
  if (entry === undefined) {
    const known = index.map((r) => r.name).join(', ');
    throw new Error(
      `the demo shows report '${name}', which sql/reports does not define (it defines ${known}): ` +
        `show another report in local/pipeline/reports.ts, or add sql/reports/${name}.sql and run \`make reports\``,
    );
  }
  return entry;
}

/** The warehouse view of a report; an error if the report has none. */
export function warehouseView(index: readonly ReportEntry[], name: string): string {
  const view = reportNamed(index, name).warehouseView;
  if (view === null)
    throw new Error(`report '${name}' has no warehouse view (its rows come from the ATM job)`);
  return view;
}

/** Runs a report's Athena named query (generated into sql/athena/) unchanged on the Athena stand-in. */
export async function athenaQuery(
  settings: TwinSettings,
  report: string,
  index: readonly ReportEntry[] = loadReportIndex(settings.repoRoot),
): Promise<Row[]> {
  const { db } = athenaPaths(settings);
  const sql = path.join(settings.repoRoot, reportNamed(index, report).athenaQuery);
  const { stdout } = await execFileAsync(
    settings.python,
    [ATHENA_STANDIN_SCRIPT, 'query', '--db', db, '--sql', sql],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const { columns, rows } = JSON.parse(stdout) as { columns: string[]; rows: unknown[][] };
  return rows.map((values) =>
    Object.fromEntries(columns.map((c, i) => [c, values[i] === null ? '' : String(values[i])])),
  );
}

/** The demo's tables and charts: a few reports, each looked up in the index by name. */
export async function collectReports(settings: TwinSettings): Promise<ReportData> {
  const index = loadReportIndex(settings.repoRoot);
  const view = (name: string): string => warehouseView(index, name);
  const fraudFlags = await athenaQuery(settings, 'fraud_flags', index);
  const byRule = new Map<string, number>();
  for (const flag of fraudFlags) byRule.set(flag.rule, (byRule.get(flag.rule) ?? 0) + 1);
  return {
    warehouseMonthly: await queryWarehouse(
      settings,
      `SELECT year, month, txn_count, total_amount FROM ${view('monthly_trend')} ORDER BY year, month`,
    ),
    athenaMonthly: await athenaQuery(settings, 'monthly_trend', index),
    opsTotals: await queryWarehouse(
      settings,
      `SELECT operation, txn_count, total_amount FROM ${view('ops_totals')} ORDER BY txn_count DESC`,
    ),
    atmFailureRates: await queryWarehouse(
      settings,
      `SELECT atm_id, city, attempts, failures, failure_rate FROM ${view('atm_failure_rates')} ` +
        'ORDER BY failure_rate DESC, attempts DESC, atm_id',
    ),
    cardTypeFailureRates: await queryWarehouse(
      settings,
      `SELECT card_type, attempts, failures, failure_rate FROM ${view('card_type_failure_rates')} ORDER BY card_type`,
    ),
    hourlyAtmLoad: await queryWarehouse(
      settings,
      `SELECT txn_hour, SUM(txn_count) AS txn_count FROM ${view('atm_hourly_totals')} GROUP BY txn_hour ORDER BY txn_hour`,
    ),
    fraudByRule: [...byRule.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([rule, count]) => ({ rule, flags: String(count) })),
    fraudFlags,
  };
}

/** Fixed-width text table for the terminal. */
export function textTable(rows: Row[], limit = 12): string {
  if (rows.length === 0) return '    (no rows)';
  const columns = Object.keys(rows[0]);
  const shown = rows.slice(0, limit);
  const widths = columns.map((c) => Math.max(c.length, ...shown.map((r) => (r[c] ?? '').length)));
  const line = (values: string[]): string =>
    `    ${values.map((v, i) => (/^-?[\d.]+$/.test(v) ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ')}`;
  const out = [
    line(columns),
    `    ${widths.map((w) => '-'.repeat(w)).join('  ')}`,
    ...shown.map((r) => line(columns.map((c) => r[c] ?? ''))),
  ];
  if (rows.length > limit) out.push(`    ... ${rows.length - limit} more rows`);
  return out.join('\n');
}
