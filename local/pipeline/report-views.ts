/**
 * A demo view of a report: its rows shaped as the `-- demo:` line of sql/reports/<report>.sql says
 * (grouped, ordered, cut), carried into sql/reports/index.json by `make reports`
 * (scripts/report_demo_views.py has the syntax and checks it). Pure: rows in, rows out.
 */
import type { Row } from './warehouse';

export type DemoViewKind = 'table' | 'bars' | 'columns';
export type DemoEngine = 'warehouse' | 'athena';

export interface DemoValue {
  /** The report's output column, or null for count(*). */
  readonly column: string | null;
  readonly aggregate: 'sum' | 'count' | null;
  /** The shown column's name: the column, or `count`. */
  readonly name: string;
}

export interface DemoViewSpec {
  readonly kind: DemoViewKind;
  readonly values: readonly DemoValue[];
  readonly by: readonly string[];
  readonly order: readonly { readonly column: string; readonly descending: boolean }[];
  readonly limit: number | null;
  readonly percent: boolean;
  readonly engine: DemoEngine;
}

/** Exact decimal text as a scaled integer, so that summing money never rounds. */
function scaled(text: string): { units: bigint; scale: number } {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (match === null) throw new Error(`cannot sum ${JSON.stringify(text)}: not a number`);
  const fraction = match[3] ?? '';
  const units = BigInt(`${match[2]}${fraction}`);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

/** The exact sum of decimal texts, written with the largest scale among them. */
export function decimalSum(texts: readonly string[]): string {
  const parts = texts.filter((t) => t !== '').map(scaled);
  const scale = Math.max(0, ...parts.map((p) => p.scale));
  const total = parts.reduce((sum, p) => sum + p.units * 10n ** BigInt(scale - p.scale), 0n);
  if (scale === 0) return total.toString();
  const digits = (total < 0n ? -total : total).toString().padStart(scale + 1, '0');
  return `${total < 0n ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** Numbers compare as numbers, everything else as text. */
function compareValues(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b);
  return a.localeCompare(b);
}

function grouped(spec: DemoViewSpec, rows: readonly Row[]): Row[] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = JSON.stringify(spec.by.map((c) => row[c] ?? ''));
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [row]);
    else members.push(row);
  }
  return [...groups.values()].map((members) => {
    const out: Row = Object.fromEntries(spec.by.map((c) => [c, members[0][c] ?? '']));
    for (const value of spec.values) {
      out[value.name] =
        value.aggregate === 'count'
          ? String(members.length)
          : decimalSum(members.map((m) => m[value.column ?? ''] ?? ''));
    }
    return out;
  });
}

/** The view's rows: grouped when its values are aggregates, ordered, cut to its limit, its columns only. */
export function shapeRows(spec: DemoViewSpec, rows: readonly Row[]): Row[] {
  const isGrouped = spec.values.some((v) => v.aggregate !== null);
  const source = isGrouped ? grouped(spec, rows) : [...rows];
  source.sort((a, b) => {
    for (const { column, descending } of spec.order) {
      const c = compareValues(a[column] ?? '', b[column] ?? '');
      if (c !== 0) return descending ? -c : c;
    }
    return 0;
  });
  const shown = [...spec.by, ...spec.values.map((v) => v.name)];
  return source
    .slice(0, spec.limit ?? undefined)
    .map((row) => Object.fromEntries(shown.map((c) => [c, row[c] ?? ''])));
}

/**
 * A chart bar's label from its `by` columns: whole numbers as a date-like key (2024-01 for a year
 * and a month), anything else joined by spaces (an ATM id and its city).
 */
export function chartLabel(spec: DemoViewSpec, row: Row): string {
  const parts = spec.by.map((c) => row[c] ?? '');
  if (parts.length > 1 && parts.every((p) => /^\d+$/.test(p))) {
    return [parts[0], ...parts.slice(1).map((p) => p.padStart(2, '0'))].join('-');
  }
  return parts.join(' ');
}
