/**
 * A card's recent history: what the live consumer keeps between batches.
 * It must reach back far enough for every rule to see what the batch sees
 * for any record arriving up to the out-of-order tolerance late.
 */
import { compareEventOrder, epochSeconds, uniqueByTransactionId } from './event-order';
import { longestWindowSeconds, type FraudRules } from './rules';
import type { LiveTransaction } from './transaction';

/**
 * The oldest event second still needed once `newestEventTime` (epoch ms) has
 * been seen: a record up to the tolerance older than the newest looks back at
 * most the longest rule window (windows include their start).
 */
export function historyStartSeconds(newestEventTime: number, rules: FraudRules): number {
  return (
    epochSeconds({ occurredAt: newestEventTime }) -
    rules.outOfOrderToleranceSeconds -
    longestWindowSeconds(rules)
  );
}

/** The transactions of `history` that the rules may still need, in the batch's event order. */
export function pruneHistory(
  history: readonly LiveTransaction[],
  newestEventTime: number,
  rules: FraudRules,
): LiveTransaction[] {
  const start = historyStartSeconds(newestEventTime, rules);
  return history.filter((txn) => epochSeconds(txn) >= start).sort(compareEventOrder);
}

/** `history` with `incoming` added, one transaction per id (the one already kept wins), in event order. */
export function mergeHistory(
  history: readonly LiveTransaction[],
  incoming: readonly LiveTransaction[],
): LiveTransaction[] {
  return uniqueByTransactionId([...history, ...incoming]).sort(compareEventOrder);
}

/** The latest occurredAt of a history (epoch ms), or undefined when it is empty. */
export function newestEventTime(history: readonly LiveTransaction[]): number | undefined {
  return history.length === 0 ? undefined : Math.max(...history.map((txn) => txn.occurredAt));
}
