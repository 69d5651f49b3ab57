/**
 * The three fraud rules over one card's recent history, computed as the batch
 * computes them (spark-jobs/bankpipe/fraud.py). Every call evaluates the whole
 * history, so a record that arrives late (within the rules file's
 * out-of-order tolerance) yields exactly the batch's alerts; the caller stores
 * alerts by id, so alerts raised before are not raised again.
 */
import { alertId } from './alert-identity';
import {
  IMPOSSIBLE_TRAVEL,
  REPEATED_MAX_AMOUNT,
  ruleWindowSeconds,
  WITHDRAWAL_BURST,
  type FraudRules,
  type RuleName,
} from './rules';
import { WITHDRAWAL_OPERATIONS, type LiveTransaction } from './transaction';
import { compareEventOrder, epochSeconds, uniqueByTransactionId } from './event-order';

export interface FraudAlert {
  /** SHA-256 of rule|cardId|window start|window end (see alert-identity.ts). */
  readonly alertId: string;
  readonly rule: RuleName;
  readonly cardId: string;
  readonly accountId: string;
  /** The flagged transaction. */
  readonly transactionId: string;
  /** The flagged transaction's occurred_at, epoch milliseconds. */
  readonly occurredAt: number;
  /** The window, epoch milliseconds of whole seconds: windowEnd is the flagged transaction's second. */
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The numbers behind the alert, worded as the batch's fraud report's detail. */
  readonly detail: string;
}

/** Alerts of every card in `history`, one per alert id, in event order. */
export function detectAlerts(history: readonly LiveTransaction[], rules: FraudRules): FraudAlert[] {
  const byCard = new Map<string, LiveTransaction[]>();
  for (const txn of uniqueByTransactionId(history)) {
    const card = byCard.get(txn.cardId);
    if (card === undefined) byCard.set(txn.cardId, [txn]);
    else card.push(txn);
  }
  const alerts = new Map<string, FraudAlert>();
  for (const cardHistory of byCard.values()) {
    const ordered = [...cardHistory].sort(compareEventOrder);
    const found = [
      ...withdrawalBursts(ordered, rules),
      ...impossibleTravel(ordered, rules),
      ...repeatedMaxAmount(ordered, rules),
    ];
    for (const alert of found) if (!alerts.has(alert.alertId)) alerts.set(alert.alertId, alert);
  }
  return [...alerts.values()];
}

function isWithdrawal(txn: LiveTransaction): boolean {
  return WITHDRAWAL_OPERATIONS.includes(txn.operation);
}

/** How many of `rows` fall within `windowSeconds` up to `txn`'s second, both ends and ties included. */
function countWithin(rows: readonly LiveTransaction[], txn: LiveTransaction, windowSeconds: number): number {
  const end = epochSeconds(txn);
  return rows.filter((row) => epochSeconds(row) <= end && epochSeconds(row) >= end - windowSeconds).length;
}

function alertFor(txn: LiveTransaction, rule: RuleName, rules: FraudRules, detail: string): FraudAlert {
  const windowEnd = epochSeconds(txn) * 1000;
  const windowStart = windowEnd - ruleWindowSeconds(rules, rule) * 1000;
  const identity = { rule, cardId: txn.cardId, windowStart, windowEnd };
  return {
    alertId: alertId(identity),
    ...identity,
    accountId: txn.accountId,
    transactionId: txn.transactionId,
    occurredAt: txn.occurredAt,
    detail,
  };
}

export function withdrawalBursts(ordered: readonly LiveTransaction[], rules: FraudRules): FraudAlert[] {
  const withdrawals = ordered.filter(isWithdrawal);
  const alerts: FraudAlert[] = [];
  for (const txn of withdrawals) {
    const count = countWithin(withdrawals, txn, rules.burstWindowSeconds);
    if (count >= rules.burstCount) {
      const detail = `${count} ATM withdrawals by the card within ${durationText(rules.burstWindowSeconds)}`;
      alerts.push(alertFor(txn, WITHDRAWAL_BURST, rules, detail));
    }
  }
  return alerts;
}

const DEGREES_TO_RADIANS = Math.PI / 180;

/** Great-circle distance with the batch's formula (fraud.haversine_km), operation for operation. */
export function haversineKm(
  lat1: number,
  lon1: number,
  lat2: number,
  lon2: number,
  earthRadiusKm: number,
): number {
  const dlat = (lat2 - lat1) * DEGREES_TO_RADIANS;
  const dlon = (lon2 - lon1) * DEGREES_TO_RADIANS;
  const a =
    Math.pow(Math.sin(dlat / 2), 2) +
    Math.cos(lat1 * DEGREES_TO_RADIANS) *
      Math.cos(lat2 * DEGREES_TO_RADIANS) *
      Math.pow(Math.sin(dlon / 2), 2);
  return 2 * earthRadiusKm * Math.asin(Math.min(1.0, Math.sqrt(a)));
}

export function impossibleTravel(ordered: readonly LiveTransaction[], rules: FraudRules): FraudAlert[] {
  const alerts: FraudAlert[] = [];
  for (let index = 1; index < ordered.length; index++) {
    const previous = ordered[index - 1];
    const txn = ordered[index];
    if (previous.atmId === txn.atmId) continue;
    const elapsed = epochSeconds(txn) - epochSeconds(previous);
    const km = haversineKm(
      previous.latitude,
      previous.longitude,
      txn.latitude,
      txn.longitude,
      rules.earthRadiusKm,
    );
    const tooFast = elapsed <= 0 || km / (elapsed / 3600.0) > rules.travelMaxKmh;
    if (elapsed < rules.travelWindowSeconds && km >= rules.travelMinKm && tooFast) {
      const detail = `${km.toFixed(1)} km from ATM ${previous.atmId} in ${(elapsed / 60.0).toFixed(1)} minutes`;
      alerts.push(alertFor(txn, IMPOSSIBLE_TRAVEL, rules, detail));
    }
  }
  return alerts;
}

export function repeatedMaxAmount(ordered: readonly LiveTransaction[], rules: FraudRules): FraudAlert[] {
  const atMaximum = ordered.filter(
    (txn) => isWithdrawal(txn) && txn.amount === rules.maxWithdrawalAmountByCurrency[txn.currency],
  );
  const alerts: FraudAlert[] = [];
  for (const txn of atMaximum) {
    const count = countWithin(atMaximum, txn, rules.maxAmountWindowSeconds);
    if (count >= rules.maxAmountCount) {
      const maximum = rules.maxWithdrawalAmountByCurrency[txn.currency];
      const detail =
        `${count} withdrawals of the maximum amount ${maximum} ${txn.currency} ` +
        `within ${durationText(rules.maxAmountWindowSeconds)}`;
      alerts.push(alertFor(txn, REPEATED_MAX_AMOUNT, rules, detail));
    }
  }
  return alerts;
}

/** A window length as the details say it: whole hours, else whole minutes, else seconds (fraud_rules.duration_text). */
export function durationText(seconds: number): string {
  for (const [unit, size] of [
    ['hour', 3600],
    ['minute', 60],
  ] as const) {
    if (seconds % size === 0) return plural(seconds / size, unit);
  }
  return plural(seconds, 'second');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
