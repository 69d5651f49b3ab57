import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { athenaPaths } from './state-machine';
import type { TwinSettings } from './settings';
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
}

/** Runs a named query from sql/athena/ unchanged on the Athena stand-in. */
export async function athenaQuery(settings: TwinSettings, report: string): Promise<Row[]> {
  const { db } = athenaPaths(settings);
  const sql = path.join(settings.repoRoot, 'sql', 'athena', `${report}.sql`);
  const script = path.join(__dirname, 'athena_standin.py');
  const { stdout } = await execFileAsync(settings.python, [script, 'query', '--db', db, '--sql', sql], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const { columns, rows } = JSON.parse(stdout) as { columns: string[]; rows: unknown[][] };
  return rows.map((values) =>
    Object.fromEntries(columns.map((c, i) => [c, values[i] === null ? '' : String(values[i])])),
  );
}

export async function collectReports(settings: TwinSettings): Promise<ReportData> {
  const fraudFlags = await athenaQuery(settings, 'fraud_flags');
  const byRule = new Map<string, number>();
  for (const flag of fraudFlags) byRule.set(flag.rule, (byRule.get(flag.rule) ?? 0) + 1);
  return {
    warehouseMonthly: await queryWarehouse(
      settings,
      'SELECT year, month, txn_count, total_amount FROM banking.v_monthly_trend ORDER BY year, month',
    ),
    athenaMonthly: await athenaQuery(settings, 'monthly_trend'),
    opsTotals: await queryWarehouse(
      settings,
      'SELECT operation, txn_count, total_amount FROM banking.v_ops_totals ORDER BY txn_count DESC',
    ),
    atmFailureRates: await queryWarehouse(
      settings,
      'SELECT atm_id, city, attempts, failures, failure_rate FROM banking.v_atm_failure_rates ' +
        'ORDER BY failure_rate DESC, attempts DESC, atm_id',
    ),
    cardTypeFailureRates: await queryWarehouse(
      settings,
      'SELECT card_type, attempts, failures, failure_rate FROM banking.v_card_type_failure_rates ORDER BY card_type',
    ),
    hourlyAtmLoad: await queryWarehouse(
      settings,
      'SELECT txn_hour, SUM(txn_count) AS txn_count FROM banking.v_atm_hourly_totals GROUP BY txn_hour ORDER BY txn_hour',
    ),
    fraudByRule: [...byRule.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([rule, count]) => ({ rule, flags: String(count) })),
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
