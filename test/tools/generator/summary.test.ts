/**
 * The --summary file is the generator's truth for tests downstream: recount everything from the
 * written files (independently of the generator's own bookkeeping) and compare.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  amountToCents,
  centsText,
  contractErrors,
  generate,
  readJsonLines,
  type GeneratedRun,
  type Txn,
} from './helpers';

interface Summary {
  summary_format_version: number;
  mode: string;
  lines_total: number;
  good: number;
  bad: number;
  bad_by_kind: Record<string, number>;
  duplicates: number;
  unique_transactions: number;
  monthly: {
    year: number;
    month: number;
    good_count: number;
    completed_count: number;
    completed_amount: string;
  }[];
  completed_by_operation: { operation: string; completed_count: number; completed_amount: string }[];
  good_by_status: Record<string, number>;
  atm_attempts: { atm_id: string; attempts: number; failures: number }[];
  card_type_attempts: { card_type: string; attempts: number; failures: number }[];
  files: { name: string; lines: number; good: number; bad: number; duplicates: number }[];
  fraud: { incidents: number; transactions: number };
}

let run: GeneratedRun;
let summary: Summary;
let good: Txn[];
let badKinds: Map<number, string>;

beforeAll(async () => {
  // Crosses a month boundary, with bad lines and duplicates, split over 3 files.
  run = await generate(
    '--seed 21 --count 12000 --start 2024-01-20 --days 25 --bad-ratio 0.03 --duplicate-ratio 0.02 --files 3',
  );
  summary = JSON.parse(readFileSync(run.summaryPath, 'utf8')) as Summary;
  badKinds = new Map(
    readJsonLines<{ line_index: number; kind: string }>(run.badPath).map((l) => [l.line_index, l.kind]),
  );
  // Good = parses, valid against the contract, first occurrence of its transaction_id.
  const seen = new Set<string>();
  good = [];
  for (const text of run.lines) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (contractErrors(value).length > 0) continue;
    const txn = value as Txn;
    if (Number(txn.occurred_at.slice(0, 4)) >= 2090) continue; // far_future_timestamp is schema-valid
    if (seen.has(txn.transaction_id)) continue;
    seen.add(txn.transaction_id);
    good.push(txn);
  }
});

describe('summary', () => {
  it('counts lines, good, bad and duplicates as found in the files', () => {
    expect(summary.summary_format_version).toBe(1);
    expect(summary.mode).toBe('synthetic');
    expect(summary.lines_total).toBe(run.lines.length);
    expect(summary.good).toBe(good.length);
    expect(summary.unique_transactions).toBe(good.length);
    expect(summary.bad + summary.duplicates + summary.good).toBe(run.lines.length);
    expect(summary.duplicates).toBe([...badKinds.values()].filter((k) => k === 'duplicate').length);
  });

  it('counts bad lines by kind as listed in the bad-line file', () => {
    const counted: Record<string, number> = {};
    for (const kind of badKinds.values()) if (kind !== 'duplicate') counted[kind] = (counted[kind] ?? 0) + 1;
    expect(Object.fromEntries(Object.entries(summary.bad_by_kind).filter(([, n]) => n > 0))).toEqual(counted);
    expect(Object.values(summary.bad_by_kind).reduce((a, b) => a + b, 0)).toBe(summary.bad);
  });

  it('gives per-month completed counts and exact amount sums, counting each transaction once', () => {
    const months = new Map<string, { good: number; count: number; cents: number }>();
    for (const t of good) {
      const key = t.occurred_at.slice(0, 7);
      const m = months.get(key) ?? { good: 0, count: 0, cents: 0 };
      m.good += 1;
      if (t.status === 'completed') {
        m.count += 1;
        m.cents += amountToCents(t.amount);
      }
      months.set(key, m);
    }
    expect(months.size).toBe(2);
    expect(summary.monthly).toEqual(
      [...months.entries()].sort().map(([key, m]) => ({
        year: Number(key.slice(0, 4)),
        month: Number(key.slice(5, 7)),
        good_count: m.good,
        completed_count: m.count,
        completed_amount: centsText(m.cents),
      })),
    );
  });

  it('gives completed totals per operation and status counts', () => {
    const ops = new Map<string, { count: number; cents: number }>();
    const statuses: Record<string, number> = {};
    for (const t of good) {
      statuses[t.status] = (statuses[t.status] ?? 0) + 1;
      if (t.status !== 'completed') continue;
      const o = ops.get(t.operation) ?? { count: 0, cents: 0 };
      o.count += 1;
      o.cents += amountToCents(t.amount);
      ops.set(t.operation, o);
    }
    expect(summary.good_by_status).toEqual(statuses);
    expect(summary.completed_by_operation).toEqual(
      [...ops.entries()].sort().map(([operation, o]) => ({
        operation,
        completed_count: o.count,
        completed_amount: centsText(o.cents),
      })),
    );
  });

  it('gives ATM and card-type attempts and failures', () => {
    const atms = new Map<string, { attempts: number; failures: number }>();
    for (const t of good) {
      if (!t.atm_id) continue;
      const a = atms.get(t.atm_id) ?? { attempts: 0, failures: 0 };
      a.attempts += 1;
      if (t.status === 'declined' || t.status === 'failed') a.failures += 1;
      atms.set(t.atm_id, a);
    }
    expect(summary.atm_attempts).toEqual([...atms.entries()].sort().map(([atm_id, a]) => ({ atm_id, ...a })));
    expect(summary.card_type_attempts.reduce((s, c) => s + c.attempts, 0)).toBe(
      good.filter((t) => t.atm_id && t.card_type).length,
    );
  });

  it('lists the files with their line counts', () => {
    expect(summary.files.map((f) => f.name)).toEqual(run.files.map((f) => f.name));
    summary.files.forEach((f, i) => {
      expect(f.lines).toBe(run.files[i].text.split('\n').length - 1);
      expect(f.good + f.bad + f.duplicates).toBe(f.lines);
    });
  });
});
