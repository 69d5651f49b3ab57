/**
 * Alert identity, as contracts/fraud-rules.json (alertIdentity) defines it and
 * spark-jobs/bankpipe/fraud_rules.py computes it: one alert per (rule, card,
 * window). A flagged transaction's window ends at its event second and starts
 * the rule's window earlier; the id is the hex SHA-256 of
 * `rule|cardId|windowStartEpochSeconds|windowEndEpochSeconds`.
 */
import { createHash } from 'node:crypto';

/** What makes two alerts the same. Window ends are epoch milliseconds of whole seconds. */
export interface AlertIdentity {
  readonly rule: string;
  readonly cardId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
}

/** The text the id hashes; also the key to compare alert sets with the batch's fraud report. */
export function alertKey(alert: AlertIdentity): string {
  const start = Math.floor(alert.windowStart / 1000);
  const end = Math.floor(alert.windowEnd / 1000);
  return `${alert.rule}|${alert.cardId}|${start}|${end}`;
}

export function alertId(alert: AlertIdentity): string {
  return createHash('sha256').update(alertKey(alert), 'utf8').digest('hex');
}

/** The set of alert keys of some alerts (several alerts of one key count once). */
export function alertKeys(alerts: readonly AlertIdentity[]): Set<string> {
  return new Set(alerts.map(alertKey));
}
