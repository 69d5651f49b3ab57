import {
  detectAlerts,
  type FraudAlert,
  type FraudRules,
  type LiveTransaction,
  loadFraudRules,
  parseTransactionLine,
  pruneHistory,
} from './fraud-rules';
import type { FraudRuleEngine } from './live-alerts';

/** The fraud rules of contracts/fraud-rules.json, bound into the engine the consumer's logic calls. */
export function fraudRuleEngine(
  rules: FraudRules = loadFraudRules(),
): FraudRuleEngine<LiveTransaction, FraudAlert> {
  return {
    // Each line is judged against the clock when it is parsed (the contract's future limit).
    parse: (line) => parseTransactionLine(line),
    detect: (history) => detectAlerts(history, rules),
    prune: (history, newestEventTime) => pruneHistory(history, newestEventTime, rules),
  };
}
