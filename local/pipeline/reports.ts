import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { athenaPaths } from './state-machine';
import { ATHENA_STANDIN_SCRIPT, type TwinSettings } from './settings';
import { type DemoViewSpec, shapeRows } from './report-views';
import { queryWarehouse, type Row } from './warehouse';

const execFileAsync = promisify(execFile);

/** One view of the demo: a report's rows shaped as a `-- demo:` line of its definition says. */
export interface ShownView {
  readonly report: string;
  readonly spec: DemoViewSpec;
  /** Where the rows came from: the warehouse view, or the Athena named query on the stand-in. */
  readonly source: string;
  readonly rows: Row[];
}

export interface ReportData {
  /** Every view of every report, in the index's order (report name, then the definition's lines). */
  readonly views: ShownView[];
  /** The report the fraud rules write: its name, and its rows (one per flagged transaction and rule). */
  readonly fraudReport: string;
  readonly fraudRows: Row[];
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
  /** The module that writes the report's table (the fraud rules), or null for a report computed in SQL. */
  readonly rowsFrom: string | null;
  /** How the demo shows the report: its `-- demo:` lines. */
  readonly demo: readonly DemoViewSpec[];
}

/** Where `make reports` writes the index of sql/reports, relative to the repository root. */
export const REPORT_INDEX = path.join('sql', 'reports', 'index.json');

/** Every report, read from the generated index: the demo never keeps its own list. */
export function loadReportIndex(repoRoot: string): ReportEntry[] {
  const file = path.join(repoRoot, REPORT_INDEX);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} not found: run \`make reports\` to generate it from sql/reports/<report>.sql`);
  }
  const { reports } = JSON.parse(fs.readFileSync(file, 'utf8')) as { reports: Partial<ReportEntry>[] };
  const stale = reports.find((report) => report.demo === undefined || report.rowsFrom === undefined);
  if (stale !== undefined) {
    throw new Error(
      `${file} predates this checkout (report ${stale.name} lacks demo/rowsFrom): run \`make reports\``,
    );
  }
  return reports as ReportEntry[];
}

/** The report named `name`; a name sql/reports does not define is an error naming what it defines. */
export function reportNamed(index: readonly ReportEntry[], name: string): ReportEntry {
  const entry = index.find((report) => report.name === name);
  if (entry === undefined) {
    const known = index.map((r) => r.name).join(', ');
    throw new Error(
      `report '${name}' is not defined in sql/reports (it defines ${known}): ` +
        `add sql/reports/${name}.sql and run \`make reports\``,
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

/**
 * The report whose rows the fraud rules write, the batch side of the live alerts' comparison: the one
 * definition with a `rows from` module (the ATM job requires exactly one).
 */
export function fraudReport(index: readonly ReportEntry[]): ReportEntry {
  const fromModules = index.filter((report) => report.rowsFrom !== null);
  if (fromModules.length !== 1) {
    throw new Error(
      `the live alerts compare with the one report the fraud rules write ('-- rows from:' in sql/reports), ` +
        `found ${fromModules.length} (${fromModules.map((r) => r.name).join(', ') || 'none'}): fix the definitions ` +
        'and run `make reports`',
    );
  }
  return fromModules[0];
}

/** The demo's tables and charts: every `-- demo:` view of every report in the index. */
export async function collectReports(settings: TwinSettings): Promise<ReportData> {
  const index = loadReportIndex(settings.repoRoot);
  const fetched = new Map<string, Row[]>();
  const rowsOf = async (report: ReportEntry, engine: DemoViewSpec['engine']): Promise<Row[]> => {
    const key = `${engine} ${report.name}`;
    let rows = fetched.get(key);
    if (rows === undefined) {
      rows =
        engine === 'warehouse'
          ? await queryWarehouse(settings, `SELECT * FROM ${warehouseView(index, report.name)}`)
          : await athenaQuery(settings, report.name, index);
      fetched.set(key, rows);
    }
    return rows;
  };
  const views: ShownView[] = [];
  for (const report of index) {
    for (const spec of report.demo) {
      views.push({
        report: report.name,
        spec,
        source:
          spec.engine === 'warehouse'
            ? `warehouse ${warehouseView(index, report.name)}`
            : `Athena stand-in, ${report.athenaQuery} on DuckDB`,
        rows: shapeRows(spec, await rowsOf(report, spec.engine)),
      });
    }
  }
  const fraud = fraudReport(index);
  return { views, fraudReport: fraud.name, fraudRows: await rowsOf(fraud, 'athena') };
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
