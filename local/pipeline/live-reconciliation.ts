/**
 * The live fraud alerts against the batch's fraud report, over the same transactions.
 *
 * Both sides name an alert by its identity (contracts/fraud-rules.json, alertIdentity): rule, card,
 * window. The batch's fraud report's rows (one per flagged transaction and rule) give it through the
 * rule's window ending at the transaction's second; the live archive rows carry it. The batch
 * recomputes its fraud report over every transaction it ever processed, and the live store holds every
 * alert the consumer ever raised, so both are cut to the event time of the seeds this run covers
 * (each seed has its own period, see demo-period.ts): the flagged transaction's second, the window's
 * end, lies in one of those periods.
 */
import {
  alertId,
  alertKey,
  type FraudRules,
  type RuleName,
  RULE_NAMES,
  ruleWindowSeconds,
} from '../../lambda/live-alerts/fraud-rules';
import type { SeedEventSpan } from './demo-period';
import type { Row } from './warehouse';

/** One alert identity, window ends in epoch milliseconds of whole seconds. */
export interface AlertIdentityRow {
  readonly rule: string;
  readonly cardId: string;
  readonly windowStart: number;
  readonly windowEnd: number;
}

/** One alert of the comparison: on which side it is, and its latency when this run raised it. */
export interface ComparedAlert extends AlertIdentityRow {
  readonly batch: boolean;
  readonly live: boolean;
  /** From the Kafka timestamp of its record to its alert stored (ms); undefined if another run raised it. */
  readonly latencyMs?: number;
}

export interface LatencyPercentiles {
  /** Alerts the consumer stored during this run. */
  readonly count: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface LiveComparison {
  readonly ok: boolean;
  /** Alerts on both sides. */
  readonly matched: number;
  /** Every alert of either side, in window order. */
  readonly alerts: ComparedAlert[];
  readonly onlyBatch: ComparedAlert[];
  readonly onlyLive: ComparedAlert[];
  readonly latency: LatencyPercentiles;
  /** Seeds of the covered hours the live consumer never read (dropped by an earlier demo version). */
  readonly seedsNotReadLive: string[];
}

/** The alert identities of the batch fraud report's rows (transaction_id, card_id, occurred_at, rule). */
export function batchAlertIdentities(flags: readonly Row[], rules: FraudRules): AlertIdentityRow[] {
  return flags.map((flag) => {
    const rule = knownRule(flag.rule);
    const windowEnd = Math.floor(utcMillis(flag.occurred_at) / 1000) * 1000;
    return {
      rule,
      cardId: flag.card_id,
      windowStart: windowEnd - ruleWindowSeconds(rules, rule) * 1000,
      windowEnd,
    };
  });
}

/** One line of the live alerts archive (lambda/live-alerts/aws-ports.ts, archiveRow). */
export interface ArchivedAlert {
  readonly alert_id: string;
  readonly rule: string;
  readonly card_id: string;
  readonly window_start: string;
  readonly window_end?: string;
}

export function liveAlertIdentities(archived: readonly ArchivedAlert[]): AlertIdentityRow[] {
  return archived.map((row) => {
    if (row.window_end === undefined) {
      throw new Error(`archived alert ${row.alert_id} has no window_end: it was written by another consumer`);
    }
    return {
      rule: row.rule,
      cardId: row.card_id,
      windowStart: Date.parse(row.window_start),
      windowEnd: Date.parse(row.window_end),
    };
  });
}

export interface CompareOptions {
  readonly batch: readonly AlertIdentityRow[];
  readonly live: readonly AlertIdentityRow[];
  /** Event-time spans of the covered seeds the live consumer read. */
  readonly spans: readonly SeedEventSpan[];
  readonly seedsNotReadLive: readonly string[];
  /** Latency of each alert this run stored, by alert id. */
  readonly latencyByAlertId: ReadonlyMap<string, number>;
}

export function compareLiveWithBatch(options: CompareOptions): LiveComparison {
  const inScope = (alert: AlertIdentityRow): boolean =>
    options.spans.some(
      (span) =>
        alert.windowEnd >= Math.floor(Date.parse(span.first) / 1000) * 1000 &&
        alert.windowEnd <= Date.parse(span.last),
    );
  const batch = keyed(options.batch.filter(inScope));
  const live = keyed(options.live.filter(inScope));
  const alerts: ComparedAlert[] = [...new Set([...batch.keys(), ...live.keys()])]
    .map((key) => {
      const identity = (batch.get(key) ?? live.get(key)) as AlertIdentityRow;
      const latencyMs = options.latencyByAlertId.get(alertId(identity));
      return {
        rule: identity.rule,
        cardId: identity.cardId,
        windowStart: identity.windowStart,
        windowEnd: identity.windowEnd,
        batch: batch.has(key),
        live: live.has(key),
        ...(latencyMs === undefined ? {} : { latencyMs }),
      };
    })
    .sort(
      (a, b) => a.windowEnd - b.windowEnd || a.cardId.localeCompare(b.cardId) || a.rule.localeCompare(b.rule),
    );
  const onlyBatch = alerts.filter((a) => !a.live);
  const onlyLive = alerts.filter((a) => !a.batch);
  const latencies = [...options.latencyByAlertId.values()];
  return {
    ok: onlyBatch.length === 0 && onlyLive.length === 0,
    matched: alerts.length - onlyBatch.length - onlyLive.length,
    alerts,
    onlyBatch,
    onlyLive,
    latency: {
      count: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    },
    seedsNotReadLive: [...options.seedsNotReadLive],
  };
}

/** The nearest-rank percentile (the smallest value with at least p % of the values at or below it). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** `420 ms` under a second, `1.8 s` from a second on. */
export function durationText(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const SHOWN_DIFFERENCES = 5;

/** The reconciliation's live lines, indented as the table above them; `batchReport` names the batch's side. */
export function liveComparisonText(comparison: LiveComparison, batchReport: string): string {
  const lines: string[] = [];
  if (comparison.ok) {
    lines.push(`    \u2713 live alerts = batch ${batchReport}  ${comparison.matched}`);
  } else {
    lines.push(`    \u2717 live alerts \u2260 batch ${batchReport}`);
    lines.push(`        in both: ${comparison.matched}`);
    for (const [side, list] of [
      [`only in batch ${batchReport}`, comparison.onlyBatch],
      ['only in live alerts', comparison.onlyLive],
    ] as const) {
      if (list.length === 0) continue;
      lines.push(`        ${side}: ${list.length}`);
      for (const alert of list.slice(0, SHOWN_DIFFERENCES)) lines.push(`          ${identityText(alert)}`);
      if (list.length > SHOWN_DIFFERENCES)
        lines.push(`          ... ${list.length - SHOWN_DIFFERENCES} more`);
    }
  }
  const { latency } = comparison;
  lines.push(
    `    live alert latency, Kafka timestamp -> alert stored: p50 ${durationText(latency.p50Ms)}, ` +
      `p99 ${durationText(latency.p99Ms)} (${latency.count} alert(s) raised in this run)`,
  );
  if (comparison.seedsNotReadLive.length > 0) {
    lines.push(
      `    (seed(s) ${comparison.seedsNotReadLive.join(', ')} of these hours were dropped before the demo ran ` +
        'the live consumer: their alerts are left out of this line)',
    );
  }
  return lines.join('\n');
}

/** `withdrawal_burst CARD-00000017 2016-01-03 10:11:12Z (600 s)` */
export function identityText(alert: AlertIdentityRow): string {
  const end = new Date(alert.windowEnd).toISOString().slice(0, 19).replace('T', ' ');
  return `${alert.rule} ${alert.cardId} ${end}Z (${(alert.windowEnd - alert.windowStart) / 1000} s)`;
}

function keyed(alerts: readonly AlertIdentityRow[]): Map<string, AlertIdentityRow> {
  return new Map(alerts.map((alert) => [alertKey(alert), alert]));
}

function knownRule(rule: string | undefined): RuleName {
  const known: readonly string[] = RULE_NAMES;
  if (rule === undefined || !known.includes(rule)) {
    throw new Error(
      `the batch's fraud report has rule ${JSON.stringify(rule)}, which contracts/fraud-rules.json does not define`,
    );
  }
  return rule as RuleName;
}

/**
 * A timestamp as the Athena stand-in prints it (`2016-01-03 10:11:12`, maybe with a fraction or an
 * offset) in epoch milliseconds; without an offset it is UTC (the job's session time zone).
 */
export function utcMillis(text: string | undefined): number {
  const iso = (text ?? '').trim().replace(' ', 'T');
  const withZone = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(iso.slice(19)) ? iso : `${iso}Z`;
  const millis = Date.parse(withZone.replace(/([+-]\d{2})$/, '$1:00'));
  if (Number.isNaN(millis))
    throw new Error(`the batch's fraud report has occurred_at ${JSON.stringify(text)}: no timestamp`);
  return millis;
}
