/**
 * The generator's own truth about a run, written with --summary so that tests downstream can check
 * reports against it. Every transaction is counted once (duplicates only in `duplicates`), amounts
 * are summed in integer cents and written as exact decimal strings.
 *
 * Month = the UTC year-month of occurred_at.
 */
import type { BadLineKind } from './bad-lines';
import type { OutputLine } from './line-mixer';
import { centsToDecimalText } from './record';
import { STATUS } from './contract';

interface CountAndSum {
  count: number;
  cents: number;
}

interface MonthStats {
  good: number;
  completed: CountAndSum;
}

interface AttemptStats {
  attempts: number;
  failures: number;
}

export interface FileStats {
  name: string;
  lines: number;
  good: number;
  bad: number;
  duplicates: number;
}

export const SUMMARY_FORMAT_VERSION = 1;

function countAttempt(map: Map<string, AttemptStats>, key: string, failed: boolean): void {
  let stats = map.get(key);
  if (!stats) {
    stats = { attempts: 0, failures: 0 };
    map.set(key, stats);
  }
  stats.attempts += 1;
  if (failed) stats.failures += 1;
}

export class RunStats {
  lines = 0;
  good = 0;
  bad = 0;
  duplicates = 0;
  readonly badByKind = new Map<string, number>();
  readonly goodByStatus = new Map<string, number>();
  readonly completedByOperation = new Map<string, CountAndSum>();
  readonly months = new Map<string, MonthStats>();
  readonly atms = new Map<string, AttemptStats>();
  readonly cardTypes = new Map<string, AttemptStats>();
  firstOccurredAt: string | null = null;
  lastOccurredAt: string | null = null;

  constructor(badKinds: readonly BadLineKind[]) {
    for (const kind of badKinds) this.badByKind.set(kind, 0);
  }

  observe(line: OutputLine): void {
    this.lines += 1;
    if (line.bad) {
      this.bad += 1;
      this.badByKind.set(line.bad.kind, (this.badByKind.get(line.bad.kind) ?? 0) + 1);
      return;
    }
    if (line.kind === 'duplicate') {
      this.duplicates += 1;
      return;
    }
    const record = line.record;
    if (!record) throw new Error('internal: a good line without its transaction');
    this.good += 1;
    const occurredAt = record.occurredAt;
    if (this.firstOccurredAt === null || occurredAt < this.firstOccurredAt) this.firstOccurredAt = occurredAt;
    if (this.lastOccurredAt === null || occurredAt > this.lastOccurredAt) this.lastOccurredAt = occurredAt;
    this.goodByStatus.set(record.status, (this.goodByStatus.get(record.status) ?? 0) + 1);
    const monthKey = occurredAt.slice(0, 7);
    let month = this.months.get(monthKey);
    if (!month) {
      month = { good: 0, completed: { count: 0, cents: 0 } };
      this.months.set(monthKey, month);
    }
    month.good += 1;
    const completed = record.status === STATUS.completed;
    if (completed) {
      month.completed.count += 1;
      month.completed.cents += record.amountCents;
      let op = this.completedByOperation.get(record.operation);
      if (!op) {
        op = { count: 0, cents: 0 };
        this.completedByOperation.set(record.operation, op);
      }
      op.count += 1;
      op.cents += record.amountCents;
    }
    if (record.atmId !== null) {
      // A failure as the ATM job and the reports count it (declined or failed): a reversal is
      // neither a success nor a failed attempt.
      const failed = record.status === STATUS.declined || record.status === STATUS.failed;
      countAttempt(this.atms, record.atmId, failed);
      if (record.cardType !== null) countAttempt(this.cardTypes, record.cardType, failed);
    }
  }

  toJSON(extra: {
    mode: 'synthetic' | 'berka';
    options: Record<string, unknown>;
    files: FileStats[];
    fraud: Record<string, unknown> | null;
    berka: Record<string, unknown> | null;
  }): Record<string, unknown> {
    const sorted = <V>(map: Map<string, V>): [string, V][] =>
      [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const attempts = (map: Map<string, AttemptStats>, key: string): Record<string, unknown>[] =>
      sorted(map).map(([k, v]) => ({ [key]: k, attempts: v.attempts, failures: v.failures }));
    return {
      summary_format_version: SUMMARY_FORMAT_VERSION,
      mode: extra.mode,
      options: extra.options,
      lines_total: this.lines,
      good: this.good,
      bad: this.bad,
      bad_by_kind: Object.fromEntries(sorted(this.badByKind)),
      duplicates: this.duplicates,
      unique_transactions: this.good,
      first_occurred_at: this.firstOccurredAt,
      last_occurred_at: this.lastOccurredAt,
      good_by_status: Object.fromEntries(sorted(this.goodByStatus)),
      monthly: sorted(this.months).map(([month, stats]) => ({
        year: Number(month.slice(0, 4)),
        month: Number(month.slice(5, 7)),
        good_count: stats.good,
        completed_count: stats.completed.count,
        completed_amount: centsToDecimalText(stats.completed.cents),
      })),
      completed_by_operation: sorted(this.completedByOperation).map(([operation, v]) => ({
        operation,
        completed_count: v.count,
        completed_amount: centsToDecimalText(v.cents),
      })),
      atm_attempts: attempts(this.atms, 'atm_id'),
      card_type_attempts: attempts(this.cardTypes, 'card_type'),
      fraud: extra.fraud,
      berka: extra.berka,
      files: extra.files,
    };
  }
}
