import { describe, expect, it } from 'vitest';
import { alertId, loadFraudRules } from '../../lambda/live-alerts/fraud-rules';
import {
  batchAlertIdentities,
  compareLiveWithBatch,
  durationText,
  liveAlertIdentities,
  liveComparisonText,
  percentile,
  utcMillis,
} from '../../local/pipeline/live-reconciliation';

const rules = loadFraudRules();
const SPAN = { first: '2016-01-01T00:10:00Z', last: '2016-06-28T23:50:00Z' };

/** A fraud_flags row as the Athena stand-in prints it. */
function flag(rule: string, card: string, occurredAt: string): Record<string, string> {
  return { transaction_id: `t-${card}-${occurredAt}`, card_id: card, occurred_at: occurredAt, rule };
}

/** An archive row of the live consumer for the same alert. */
function archived(rule: string, card: string, windowEnd: string, windowSeconds: number) {
  const end = Date.parse(windowEnd);
  return {
    alert_id: `a-${card}`,
    rule,
    card_id: card,
    window_start: new Date(end - windowSeconds * 1000).toISOString(),
    window_end: new Date(end).toISOString(),
  };
}

describe('batch fraud_flags rows as alert identities', () => {
  it("ends the window at the flagged transaction's second and starts it the rule's window earlier", () => {
    const [identity] = batchAlertIdentities(
      [flag('withdrawal_burst', 'CARD-1', '2016-02-03 10:11:12.900')],
      rules,
    );
    expect(identity).toEqual({
      rule: 'withdrawal_burst',
      cardId: 'CARD-1',
      windowEnd: Date.parse('2016-02-03T10:11:12Z'),
      windowStart: Date.parse('2016-02-03T10:11:12Z') - rules.burstWindowSeconds * 1000,
    });
  });

  it('reads the stand-in timestamps as UTC, with or without an offset', () => {
    expect(utcMillis('2016-02-03 10:11:12')).toBe(Date.parse('2016-02-03T10:11:12Z'));
    expect(utcMillis('2016-02-03 10:11:12+00')).toBe(Date.parse('2016-02-03T10:11:12Z'));
    expect(utcMillis('2016-02-03 11:11:12+01:00')).toBe(Date.parse('2016-02-03T10:11:12Z'));
    expect(() => utcMillis('yesterday')).toThrow(/: no timestamp/);
  });

  it('refuses a rule the rules file does not define', () => {
    expect(() => batchAlertIdentities([flag('night_owl', 'CARD-1', '2016-02-03 10:11:12')], rules)).toThrow(
      /rule "night_owl", which contracts\/fraud-rules.json does not define/,
    );
  });
});

describe('the live alerts against the batch', () => {
  const batch = batchAlertIdentities(
    [
      flag('withdrawal_burst', 'CARD-1', '2016-02-03 10:11:12'),
      flag('withdrawal_burst', 'CARD-1', '2016-02-03 10:11:12'), // two transactions, one alert
      flag('impossible_travel', 'CARD-2', '2016-03-01 08:00:00'),
    ],
    rules,
  );
  const live = liveAlertIdentities([
    archived('withdrawal_burst', 'CARD-1', '2016-02-03T10:11:12Z', rules.burstWindowSeconds),
    archived('impossible_travel', 'CARD-2', '2016-03-01T08:00:00Z', rules.travelWindowSeconds),
  ]);

  it('matches alert by alert, with the latency of the alerts this run raised', () => {
    const [raisedHere] = live;
    const comparison = compareLiveWithBatch({
      batch,
      live,
      spans: [SPAN],
      seedsNotReadLive: [],
      latencyByAlertId: new Map([[alertId(raisedHere), 850]]),
    });
    expect(comparison).toMatchObject({ ok: true, matched: 2, onlyBatch: [], onlyLive: [] });
    expect(comparison.alerts.map((a) => a.latencyMs)).toEqual([850, undefined]);
    expect(liveComparisonText(comparison, 'fraud_flags').split('\n')[0]).toBe(
      '    \u2713 live alerts = batch fraud_flags  2',
    );
  });

  it('lists what only one side has, and fails', () => {
    const comparison = compareLiveWithBatch({
      batch,
      live: live.slice(1),
      spans: [SPAN],
      seedsNotReadLive: [],
      latencyByAlertId: new Map(),
    });
    expect(comparison).toMatchObject({ ok: false, matched: 1, onlyLive: [] });
    expect(comparison.onlyBatch.map((a) => a.cardId)).toEqual(['CARD-1']);
    const text = liveComparisonText(comparison, 'fraud_flags');
    expect(text).toContain('\u2717 live alerts \u2260 batch fraud_flags');
    expect(text).toContain('only in batch fraud_flags: 1');
    expect(text).toContain('withdrawal_burst CARD-1 2016-02-03 10:11:12Z (600 s)');
  });

  it('compares only alerts of the covered seeds: earlier seeds are out of both sides', () => {
    const earlier = batchAlertIdentities([flag('withdrawal_burst', 'CARD-1', '2015-12-31 23:00:00')], rules);
    const later = liveAlertIdentities([
      archived('withdrawal_burst', 'CARD-9', '2016-06-29T00:00:00Z', rules.burstWindowSeconds),
    ]);
    const comparison = compareLiveWithBatch({
      batch: [...batch, ...earlier],
      live: [...live, ...later],
      spans: [SPAN],
      seedsNotReadLive: ['41'],
      latencyByAlertId: new Map(),
    });
    expect(comparison).toMatchObject({ ok: true, matched: 2 });
    expect(liveComparisonText(comparison, 'fraud_flags')).toContain(
      'seed(s) 41 of these hours were dropped before',
    );
  });
});

describe('latency percentiles', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('says milliseconds under a second, seconds from one on', () => {
    expect(durationText(420.4)).toBe('420 ms');
    expect(durationText(1840)).toBe('1.8 s');
    expect(durationText(null)).toBe('-');
  });
});
