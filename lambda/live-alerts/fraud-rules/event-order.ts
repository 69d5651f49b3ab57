/**
 * Event time and order as the batch sees them: occurred_at in whole seconds
 * since the epoch, rounded down (Spark's unix_seconds), then transaction_id
 * compared by code point (Spark compares strings by their UTF-8 bytes, which
 * orders as code points do; JavaScript's < compares UTF-16 units, which differs
 * above U+FFFF).
 */
import type { LiveTransaction } from './transaction';

export function epochSeconds(txn: Pick<LiveTransaction, 'occurredAt'>): number {
  return Math.floor(txn.occurredAt / 1000);
}

export function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  const shared = Math.min(left.length, right.length);
  for (let i = 0; i < shared; i++) {
    const difference = (left[i].codePointAt(0) ?? 0) - (right[i].codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

/** The batch's order of a card's transactions: event second, then transaction_id. */
export function compareEventOrder(a: LiveTransaction, b: LiveTransaction): number {
  return epochSeconds(a) - epochSeconds(b) || compareCodePoints(a.transactionId, b.transactionId);
}

/** One transaction per id, the first seen kept (a redelivered record is the same transaction). */
export function uniqueByTransactionId(history: readonly LiveTransaction[]): LiveTransaction[] {
  const seen = new Set<string>();
  const unique: LiveTransaction[] = [];
  for (const txn of history) {
    if (seen.has(txn.transactionId)) continue;
    seen.add(txn.transactionId);
    unique.push(txn);
  }
  return unique;
}
