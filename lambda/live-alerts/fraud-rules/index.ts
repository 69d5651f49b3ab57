/**
 * The fraud rules of contracts/fraud-rules.json for the live consumer: pure
 * logic, no AWS. The hourly batch (spark-jobs/bankpipe/fraud.py) applies the
 * same rules to the same file, and both name alerts the same way, so on the
 * same transactions both raise the same set of (rule, card, window).
 */
export { alertId, alertKey, alertKeys, type AlertIdentity } from './alert-identity';
export {
  detectAlerts,
  durationText,
  haversineKm,
  impossibleTravel,
  repeatedMaxAmount,
  withdrawalBursts,
  type FraudAlert,
} from './detect';
export { compareEventOrder, epochSeconds } from './event-order';
export { historyStartSeconds, mergeHistory, newestEventTime, pruneHistory } from './history';
export { canonicalAmount } from './money';
export {
  FraudRulesError,
  fraudRulesFromDocument,
  IMPOSSIBLE_TRAVEL,
  loadFraudRules,
  longestWindowSeconds,
  REPEATED_MAX_AMOUNT,
  RULE_NAMES,
  ruleWindowSeconds,
  WITHDRAWAL_BURST,
  type FraudRules,
  type RuleName,
} from './rules';
export { parseTransactionLine, type LiveTransaction, type ParsedLine, type SkipKind } from './transaction';
