/**
 * Temporary: the signatures of lambda/live-alerts/fraud-rules until that module
 * is in the tree; rule-engine.ts imports from it. Deleted when the module lands.
 */
export interface LiveTransaction {
  readonly transactionId: string;
  readonly cardId: string;
  readonly occurredAt: number;
}
export interface FraudAlert {
  readonly alertId: string;
  readonly rule: string;
  readonly cardId: string;
  readonly transactionId: string;
  readonly occurredAt: number;
  readonly windowStart: number;
  readonly detail: unknown;
}
export type FraudRules = Readonly<Record<string, unknown>>;

const missing = (): never => {
  throw new Error('lambda/live-alerts/fraud-rules is not in this build yet');
};
export const parseTransactionLine = (
  _line: string,
): { ok: true; txn: LiveTransaction } | { ok: false; reason: string } => missing();
export const detectAlerts = (_history: LiveTransaction[], _rules: FraudRules): FraudAlert[] => missing();
export const pruneHistory = (
  _history: LiveTransaction[],
  _newestEventTime: number,
  _rules: FraudRules,
): LiveTransaction[] => missing();
export const loadFraudRules = (): FraudRules => missing();
