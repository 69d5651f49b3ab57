/**
 * Replays transaction log files through the live fraud rules the way the consumer does, record by
 * record in file order: per card, merge the record into the pruned history, detect, keep alerts by
 * id. Prints {"key", "alertId"} per alert as JSON lines, for test/spark-jobs/test_fraud_cross_language.py
 * to compare with the batch's fraud_flags.
 *
 *   npx tsx test/lambda/live-alerts/fraud-rules-replay.ts FILE...
 */
import { readFileSync } from 'node:fs';
import {
  alertKey,
  detectAlerts,
  loadFraudRules,
  mergeHistory,
  newestEventTime,
  parseTransactionLine,
  pruneHistory,
  type FraudAlert,
  type LiveTransaction,
} from '../../../lambda/live-alerts/fraud-rules';

const rules = loadFraudRules();
const histories = new Map<string, LiveTransaction[]>();
const alerts = new Map<string, FraudAlert>();

for (const file of process.argv.slice(2)) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const parsed = parseTransactionLine(line);
    if (!parsed.ok) continue;
    const merged = mergeHistory(histories.get(parsed.txn.cardId) ?? [], [parsed.txn]);
    const history = pruneHistory(merged, newestEventTime(merged) ?? parsed.txn.occurredAt, rules);
    histories.set(parsed.txn.cardId, history);
    for (const alert of detectAlerts(history, rules))
      if (!alerts.has(alert.alertId)) alerts.set(alert.alertId, alert);
  }
}
for (const alert of alerts.values()) {
  process.stdout.write(`${JSON.stringify({ key: alertKey(alert), alertId: alert.alertId })}\n`);
}
