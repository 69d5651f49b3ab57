/**
 * The live fraud rules at their edges: each threshold of contracts/fraud-rules.json exactly, just
 * below and just above (count, distance, speed, time window, amount), parsing, history pruning and
 * alert identity. The same edges are pinned for the batch in test/spark-jobs/test_fraud_edges.py.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import rulesDocument from '../../../contracts/fraud-rules.json';
import {
  alertId,
  alertKey,
  alertKeys,
  canonicalAmount,
  detectAlerts,
  durationText,
  FraudRulesError,
  fraudRulesFromDocument,
  haversineKm,
  historyStartSeconds,
  loadFraudRules,
  mergeHistory,
  newestEventTime,
  parseTransactionLine,
  pruneHistory,
  type FraudAlert,
  type FraudRules,
  type LiveTransaction,
} from '../../../lambda/live-alerts/fraud-rules';

const rules = loadFraudRules();
const T0 = Date.parse('2024-01-05T10:00:00Z');
const PRAGUE = { atmId: 'ATM-PRG-001', latitude: 50.0813, longitude: 14.428 };
const OSTRAVA = { atmId: 'ATM-OST-001', latitude: 49.8355, longitude: 18.2926 };
const CZK_MAX = rules.maxWithdrawalAmountByCurrency.CZK;

function txn(id: string, secondsAfterT0: number, values: Partial<LiveTransaction> = {}): LiveTransaction {
  return {
    transactionId: id,
    accountId: 'ACC1',
    cardId: 'C1',
    occurredAt: T0 + secondsAfterT0 * 1000,
    operation: 'cash_withdrawal',
    amount: '100.00',
    currency: 'CZK',
    ...PRAGUE,
    ...values,
  };
}

function flagged(alerts: readonly FraudAlert[], rule: string): string[] {
  return alerts
    .filter((a) => a.rule === rule)
    .map((a) => a.transactionId)
    .sort();
}

/** `count` withdrawals one second apart, the last `lastAt` seconds after the first. */
function withdrawals(
  count: number,
  lastAt: number,
  values: Partial<LiveTransaction> = {},
): LiveTransaction[] {
  return Array.from({ length: count }, (_, i) => txn(`W${i + 1}`, i === count - 1 ? lastAt : i, values));
}

describe('the rules file', () => {
  it('is read with the units of its keys', () => {
    const burst = rulesDocument.rules.withdrawal_burst;
    expect(rules.burstCount).toBe(burst.burstCount);
    expect(rules.burstWindowSeconds).toBe(burst.burstWindowSeconds);
    expect(rules.maxWithdrawalAmountByCurrency).toEqual(
      rulesDocument.rules.repeated_max_amount.maxWithdrawalAmountByCurrency,
    );
    expect(rules.outOfOrderToleranceSeconds).toBe(rulesDocument.outOfOrderToleranceSeconds);
  });

  it.each([
    ['a zero count', ['withdrawal_burst', 'burstCount'], 0, /burstCount must be a whole number of 1 or more/],
    [
      'a fractional window',
      ['withdrawal_burst', 'burstWindowSeconds'],
      1.5,
      /burstWindowSeconds must be a whole/,
    ],
    ['a zero distance', ['impossible_travel', 'travelMinKm'], 0, /travelMinKm must be a number above 0/],
    [
      'a numeric maximum',
      ['repeated_max_amount', 'maxWithdrawalAmountByCurrency'],
      { CZK: 20000 },
      /exactly 2 decimals/,
    ],
    [
      'a zero maximum',
      ['repeated_max_amount', 'maxWithdrawalAmountByCurrency'],
      { CZK: '0.00' },
      /positive amount/,
    ],
    ['a bad currency', ['repeated_max_amount', 'maxWithdrawalAmountByCurrency'], { czk: '1.00' }, /ISO 4217/],
    ['an unknown key', ['withdrawal_burst', 'burstCounts'], 3, /unknown keys \["burstCounts"\]/],
  ])('refuses %s, naming the key', (_case, [rule, key], value, message) => {
    const document = structuredClone(rulesDocument) as unknown as {
      rules: Record<string, Record<string, unknown>>;
    };
    document.rules[rule][key] = value;
    expect(() => fraudRulesFromDocument(document, 'rules.json')).toThrow(FraudRulesError);
    expect(() => fraudRulesFromDocument(document, 'rules.json')).toThrow(message);
  });

  it('refuses a missing key, an unknown rule and a negative tolerance', () => {
    const missing = structuredClone(rulesDocument) as unknown as {
      rules: Record<string, Record<string, unknown>>;
    };
    delete missing.rules.impossible_travel.earthRadiusKm;
    expect(() => fraudRulesFromDocument(missing, 'f')).toThrow(/missing keys \["earthRadiusKm"\]/);
    const extra = { ...rulesDocument, rules: { ...rulesDocument.rules, night_owl: {} } };
    expect(() => fraudRulesFromDocument(extra, 'f')).toThrow(/rules \["night_owl"\] are not implemented/);
    expect(() => fraudRulesFromDocument({ ...rulesDocument, outOfOrderToleranceSeconds: -1 }, 'f')).toThrow(
      /outOfOrderToleranceSeconds must be a whole number of 0 or more/,
    );
    expect(() => fraudRulesFromDocument([], 'f')).toThrow(/the file must be a JSON object/);
  });
});

describe('withdrawal_burst', () => {
  const W = rules.burstWindowSeconds;
  const N = rules.burstCount;

  it('flags the burstCount-th withdrawal within the window, not one fewer, and each one more', () => {
    expect(flagged(detectAlerts(withdrawals(N, 2 * N), rules), 'withdrawal_burst')).toEqual([`W${N}`]);
    expect(flagged(detectAlerts(withdrawals(N - 1, 2 * N), rules), 'withdrawal_burst')).toEqual([]);
    const more = withdrawals(N + 1, 2 * N);
    expect(flagged(detectAlerts(more, rules), 'withdrawal_burst')).toEqual([`W${N}`, `W${N + 1}`]);
  });

  it('counts a withdrawal exactly the window earlier, not one second more', () => {
    expect(flagged(detectAlerts(withdrawals(N, W), rules), 'withdrawal_burst')).toEqual([`W${N}`]);
    expect(flagged(detectAlerts(withdrawals(N, W - 1), rules), 'withdrawal_burst')).toEqual([`W${N}`]);
    expect(flagged(detectAlerts(withdrawals(N, W + 1), rules), 'withdrawal_burst')).toEqual([]);
  });

  it('rounds event times down to the second, as the batch does', () => {
    const late = withdrawals(N, W);
    const last = late[N - 1];
    late[N - 1] = { ...last, occurredAt: last.occurredAt + 999 };
    expect(flagged(detectAlerts(late, rules), 'withdrawal_burst')).toEqual([`W${N}`]);
  });

  it('counts ties in the same second, card_withdrawal too, and no deposit', () => {
    const ties = withdrawals(N, 0).map((t, i) => ({
      ...t,
      occurredAt: T0,
      operation: i ? t.operation : 'card_withdrawal',
    }));
    // One second of one card is one window: one alert, counting every withdrawal of that second.
    const [tie, ...others] = detectAlerts(ties, rules).filter((a) => a.rule === 'withdrawal_burst');
    expect(others).toEqual([]);
    // The alert of a window is its first flagged transaction in event order.
    expect(tie.transactionId).toBe('W1');
    expect(tie.detail).toMatch(new RegExp(`^${N} ATM withdrawals`));
    const deposit = withdrawals(N, 2 * N).map((t, i) => (i === 0 ? { ...t, operation: 'cash_deposit' } : t));
    expect(flagged(detectAlerts(deposit, rules), 'withdrawal_burst')).toEqual([]);
  });

  it('counts per card', () => {
    const twoCards = withdrawals(N, 2 * N).map((t, i) => (i === 0 ? { ...t, cardId: 'C2' } : t));
    expect(flagged(detectAlerts(twoCards, rules), 'withdrawal_burst')).toEqual([]);
  });

  it('says how many withdrawals within how long', () => {
    const [alert] = detectAlerts(withdrawals(N, 2 * N), rules);
    expect(alert.detail).toBe(`${N} ATM withdrawals by the card within ${durationText(W)}`);
  });
});

describe('impossible_travel', () => {
  const km = haversineKm(
    PRAGUE.latitude,
    PRAGUE.longitude,
    OSTRAVA.latitude,
    OSTRAVA.longitude,
    rules.earthRadiusKm,
  );
  const trip = (elapsed: number, to: Partial<LiveTransaction> = OSTRAVA): LiveTransaction[] => [
    txn('V1', 0),
    txn('V2', elapsed, { ...to, operation: 'cash_deposit' }),
  ];
  const lenient = { ...rules, travelMaxKmh: Number.MIN_VALUE, travelMinKm: Number.MIN_VALUE };

  it('measures with the haversine formula on the rules file radius', () => {
    expect(km).toBeGreaterThan(270);
    expect(km).toBeLessThan(290);
    expect(haversineKm(0, 0, 0, 180, 1)).toBeCloseTo(Math.PI, 12);
    expect(haversineKm(10, 20, 10, 20, rules.earthRadiusKm)).toBe(0);
  });

  it('flags at exactly the minimum distance, not just above it', () => {
    const elapsed = 60;
    expect(flagged(detectAlerts(trip(elapsed), { ...rules, travelMinKm: km }), 'impossible_travel')).toEqual([
      'V2',
    ]);
    const above = { ...rules, travelMinKm: km * (1 + Number.EPSILON) };
    expect(flagged(detectAlerts(trip(elapsed), above), 'impossible_travel')).toEqual([]);
    const below = { ...rules, travelMinKm: km * (1 - Number.EPSILON) };
    expect(flagged(detectAlerts(trip(elapsed), below), 'impossible_travel')).toEqual(['V2']);
  });

  it('flags a speed above the maximum, not exactly at it', () => {
    const elapsed = 600;
    const speed = km / (elapsed / 3600.0);
    const at = { ...rules, travelMaxKmh: speed };
    expect(flagged(detectAlerts(trip(elapsed), at), 'impossible_travel')).toEqual([]);
    const justBelow = { ...rules, travelMaxKmh: speed * (1 - Number.EPSILON) };
    expect(flagged(detectAlerts(trip(elapsed), justBelow), 'impossible_travel')).toEqual(['V2']);
    const justAbove = { ...rules, travelMaxKmh: speed * (1 + Number.EPSILON) };
    expect(flagged(detectAlerts(trip(elapsed), justAbove), 'impossible_travel')).toEqual([]);
  });

  it('looks back less than the window: one second less flags, exactly the window does not', () => {
    const W = rules.travelWindowSeconds;
    expect(flagged(detectAlerts(trip(W - 1), lenient), 'impossible_travel')).toEqual(['V2']);
    expect(flagged(detectAlerts(trip(W), lenient), 'impossible_travel')).toEqual([]);
    expect(flagged(detectAlerts(trip(W + 1), lenient), 'impossible_travel')).toEqual([]);
  });

  it('counts the same second as too fast, whatever the speed limit', () => {
    const unlimited = { ...rules, travelMaxKmh: Number.MAX_VALUE };
    expect(flagged(detectAlerts(trip(0), unlimited), 'impossible_travel')).toEqual(['V2']);
    expect(flagged(detectAlerts(trip(1), unlimited), 'impossible_travel')).toEqual([]);
  });

  it('never flags the same ATM, and compares with the previous transaction only', () => {
    expect(
      flagged(detectAlerts(trip(0, { ...OSTRAVA, atmId: PRAGUE.atmId }), rules), 'impossible_travel'),
    ).toEqual([]);
    // V0 in Ostrava, then Prague twice: V2 follows V1 at the same ATM.
    const history = [txn('V0', -60, OSTRAVA), txn('V1', 0), txn('V2', 60)];
    expect(flagged(detectAlerts(history, rules), 'impossible_travel')).toEqual(['V1']);
  });

  it('orders one second by transaction_id, character by character, a prefix first', () => {
    // Decided at the second character: XA (Ostrava) comes before XB, so XB is flagged.
    expect(flagged(detectAlerts([txn('XB', 0), txn('XA', 0, OSTRAVA)], rules), 'impossible_travel')).toEqual([
      'XB',
    ]);
    // A prefix sorts first: P (Prague) comes before PX (Ostrava), so PX is flagged.
    expect(flagged(detectAlerts([txn('PX', 0, OSTRAVA), txn('P', 0)], rules), 'impossible_travel')).toEqual([
      'PX',
    ]);
    expect(flagged(detectAlerts([txn('P', 0, OSTRAVA), txn('PX', 0)], rules), 'impossible_travel')).toEqual([
      'PX',
    ]);
  });

  it('orders one second by transaction_id, by code point', () => {
    // Same second: the previous of B is A (A < B), so B (in Ostrava) is flagged, not A.
    const history = [txn('B', 0, OSTRAVA), txn('A', 0)];
    expect(flagged(detectAlerts(history, rules), 'impossible_travel')).toEqual(['B']);
    // U+1F600 sorts after U+FFFD by code point (and in UTF-8), before it in UTF-16 units.
    const astral = [txn('\u{1F600}', 0, OSTRAVA), txn('\uFFFD', 0)];
    expect(flagged(detectAlerts(astral, rules), 'impossible_travel')).toEqual(['\u{1F600}']);
  });

  it('says how far from which ATM in how long', () => {
    const [alert] = detectAlerts(trip(1200), rules);
    expect(alert.detail).toBe(`${km.toFixed(1)} km from ATM ${PRAGUE.atmId} in 20.0 minutes`);
  });
});

describe('repeated_max_amount', () => {
  const N = rules.maxAmountCount;
  const W = rules.maxAmountWindowSeconds;
  const atMax = (lastAt: number, values: Partial<LiveTransaction> = {}): LiveTransaction[] =>
    withdrawals(N, lastAt, { amount: CZK_MAX, ...values }).map((t, i) => ({
      ...t,
      occurredAt: T0 + (i === N - 1 ? lastAt : i * 3600) * 1000,
    }));

  it('counts withdrawals of exactly the maximum, not a cent below or above', () => {
    expect(flagged(detectAlerts(atMax(W), rules), 'repeated_max_amount')).toEqual([`W${N}`]);
    const cents = (delta: number): string => (Math.round(Number(CZK_MAX) * 100) + delta).toString();
    const asAmount = (c: string): string => `${c.slice(0, -2)}.${c.slice(-2)}`;
    for (const delta of [-1, 1]) {
      const history = atMax(W).map((t, i) => (i === 0 ? { ...t, amount: asAmount(cents(delta)) } : t));
      expect(flagged(detectAlerts(history, rules), 'repeated_max_amount')).toEqual([]);
    }
  });

  it('needs maxAmountCount of them: one fewer raises nothing, one more raises one more', () => {
    expect(flagged(detectAlerts(atMax(W).slice(1), rules), 'repeated_max_amount')).toEqual([]);
    const more = [...atMax(W), txn('W9', W + 1, { amount: CZK_MAX })];
    expect(flagged(detectAlerts(more, rules), 'repeated_max_amount')).toEqual([`W${N}`, 'W9']);
  });

  it('looks back exactly the window, not one second more', () => {
    expect(flagged(detectAlerts(atMax(W - 1), rules), 'repeated_max_amount')).toEqual([`W${N}`]);
    expect(flagged(detectAlerts(atMax(W + 1), rules), 'repeated_max_amount')).toEqual([]);
  });

  it('ignores a currency without a maximum and a deposit of the maximum', () => {
    expect(flagged(detectAlerts(atMax(W, { currency: 'EUR' }), rules), 'repeated_max_amount')).toEqual([]);
    const deposit = atMax(W).map((t, i) => (i === 0 ? { ...t, operation: 'cash_deposit' } : t));
    expect(flagged(detectAlerts(deposit, rules), 'repeated_max_amount')).toEqual([]);
  });

  it('says how many times which maximum within how long', () => {
    const alert = detectAlerts(atMax(W), rules).find((a) => a.rule === 'repeated_max_amount');
    expect(alert?.detail).toBe(
      `${N} withdrawals of the maximum amount ${CZK_MAX} CZK within ${durationText(W)}`,
    );
  });
});

describe('durationText', () => {
  it('says hours, minutes or seconds, singular when one', () => {
    expect([86400, 3600, 600, 60, 61, 1].map(durationText)).toEqual([
      '24 hours',
      '1 hour',
      '10 minutes',
      '1 minute',
      '61 seconds',
      '1 second',
    ]);
  });
});

describe('alert identity', () => {
  it('hashes rule|card|window start|window end in whole seconds', () => {
    const [alert] = detectAlerts(withdrawals(rules.burstCount, 5), rules);
    const end = Math.floor(alert.occurredAt / 1000);
    const text = `withdrawal_burst|C1|${end - rules.burstWindowSeconds}|${end}`;
    expect(alertKey(alert)).toBe(text);
    expect(alert.alertId).toBe(createHash('sha256').update(text).digest('hex'));
    expect(alertId(alert)).toBe(alert.alertId);
  });

  it('keys the window at its end, so two alerts in one second of one card are one', () => {
    const sameSecond = withdrawals(rules.burstCount + 1, 5).map((t, i) =>
      i >= 2 ? { ...t, occurredAt: T0 + 5000 } : t,
    );
    const alerts = detectAlerts(sameSecond, rules).filter((a) => a.rule === 'withdrawal_burst');
    expect(alerts).toHaveLength(1);
    expect(alertKeys(alerts).size).toBe(1);
  });
});

describe('out-of-order records and history', () => {
  const history = [
    ...withdrawals(rules.burstCount + 1, 30),
    txn('V2', 40, OSTRAVA),
    txn('M1', 100, { amount: CZK_MAX }),
    txn('M2', 200, { amount: CZK_MAX }),
    txn('M3', 300, { amount: CZK_MAX }),
  ];

  it('gives the same alerts whatever the arrival order, and a redelivered record changes nothing', () => {
    const expected = detectAlerts(history, rules)
      .map((a) => a.alertId)
      .sort();
    expect(expected.length).toBeGreaterThan(3);
    for (const alert of detectAlerts(history, rules)) {
      expect(alert.alertId).toMatch(/^[0-9a-f]{64}$/);
      expect(alert.cardId).toBe('C1');
    }
    const reversed = [...history].reverse();
    const redelivered = [...history, ...history.slice(0, 3)];
    for (const order of [reversed, redelivered]) {
      expect(
        detectAlerts(order, rules)
          .map((a) => a.alertId)
          .sort(),
      ).toEqual(expected);
    }
  });

  it('keeps exactly back to newest - tolerance - longest window', () => {
    const start = historyStartSeconds(T0, rules);
    const longest = Math.max(
      rules.burstWindowSeconds,
      rules.travelWindowSeconds,
      rules.maxAmountWindowSeconds,
    );
    expect(start).toBe(T0 / 1000 - rules.outOfOrderToleranceSeconds - longest);
    const edge = [txn('OLD', start - T0 / 1000 - 1), txn('EDGE', start - T0 / 1000), txn('NEW', 0)];
    expect(pruneHistory(edge, T0 + 999, rules).map((t) => t.transactionId)).toEqual(['EDGE', 'NEW']);
    // What it keeps comes back in event order, whatever the order it was given in.
    expect(pruneHistory([...edge].reverse(), T0, rules).map((t) => t.transactionId)).toEqual(['EDGE', 'NEW']);
  });

  it('a late record within the tolerance after pruning still gets the alerts of the full history', () => {
    const W = rules.maxAmountWindowSeconds;
    const late = txn('LATE', 0, { amount: CZK_MAX });
    const early = [txn('E1', -W, { amount: CZK_MAX }), txn('E2', -W + 10, { amount: CZK_MAX })];
    const newest = T0 + rules.outOfOrderToleranceSeconds * 1000;
    const kept = pruneHistory(
      [...early, txn('NEWEST', rules.outOfOrderToleranceSeconds, PRAGUE)],
      newest,
      rules,
    );
    const withLate = detectAlerts(mergeHistory(kept, [late]), rules);
    const full = detectAlerts([...early, late, txn('NEWEST', rules.outOfOrderToleranceSeconds)], rules);
    expect(flagged(withLate, 'repeated_max_amount')).toEqual(['LATE']);
    expect(withLate.map((a) => a.alertId).sort()).toEqual(full.map((a) => a.alertId).sort());
  });

  it('merges by transaction id, the kept one winning, in event order', () => {
    const merged = mergeHistory([txn('B', 10), txn('A', 5)], [txn('B', 99), txn('C', 1)]);
    expect(merged.map((t) => [t.transactionId, (t.occurredAt - T0) / 1000])).toEqual([
      ['C', 1],
      ['A', 5],
      ['B', 10],
    ]);
    expect(newestEventTime(merged)).toBe(T0 + 10_000);
    expect(newestEventTime([])).toBeUndefined();
  });
});

describe('parseTransactionLine', () => {
  const line = (values: Record<string, unknown> = {}, drop: string[] = []): string => {
    const row: Record<string, unknown> = {
      transaction_id: 'T1',
      account_id: 'ACC1',
      occurred_at: '2024-01-05T11:00:00.123456789+01:00',
      type: 'debit',
      operation: 'cash_withdrawal',
      amount: '20000.5',
      currency: 'CZK',
      channel: 'atm',
      status: 'completed',
      atm_id: 'ATM-1',
      atm_location: 'Square 1',
      city: 'Prague',
      country: 'CZ',
      latitude: 50.08,
      longitude: 14.42,
      card_id: 'C1',
      ...values,
    };
    return JSON.stringify(Object.fromEntries(Object.entries(row).filter(([key]) => !drop.includes(key))));
  };

  it('reads what the rules need, with the amount as 2-decimal text and the time in epoch ms', () => {
    expect(parseTransactionLine(line())).toEqual({
      ok: true,
      txn: {
        transactionId: 'T1',
        accountId: 'ACC1',
        cardId: 'C1',
        occurredAt: T0 + 123,
        operation: 'cash_withdrawal',
        amount: '20000.50',
        currency: 'CZK',
        atmId: 'ATM-1',
        latitude: 50.08,
        longitude: 14.42,
      },
    });
  });

  it('skips, without calling it bad, what the rules never look at', () => {
    for (const skipped of [line({ channel: 'pos' }), line({ card_id: null }), line({}, ['card_id'])]) {
      expect(parseTransactionLine(skipped)).toMatchObject({ ok: false, kind: 'not-applicable' });
    }
  });

  it.each([
    ['{', /not JSON/],
    ['[1]', /not a JSON object/],
    [line({ channel: 'kiosk' }), /channel 'kiosk' is not one of/],
    [line({}, ['channel']), /channel must be a string; it is missing/],
    [line({ card_id: 7 }), /card_id must be a string or null; it is 7/],
    [line({ operation: 'theft' }), /operation 'theft' is not one of/],
    [line({ currency: 'czk' }), /currency 'czk' is not a 3-letter/],
    [line({ amount: '1.005' }), /amount '1.005' is not a positive amount/],
    [line({ amount: 0.001 }), /amount 0.001 is not a positive amount/],
    [line({ amount: 0 }), /amount 0 is not a positive amount/],
    [line({ amount: -5 }), /amount -5 is not/],
    [line({ amount: 1e21 }), /amount 1e\+21 is not/],
    [line({ amount: 2 ** 60 }), /more than 16 integer digits/],
    [line({ amount: true }), /amount must be a number or a numeric string; it is true/],
    [line({}, ['amount']), /amount must be a number or a numeric string; it is missing/],
    [line({ transaction_id: '' }), /transaction_id is shorter than 1 characters/],
    [line({ transaction_id: 'x'.repeat(129) }), /transaction_id is longer than 128 characters/],
    [line({}, ['account_id']), /account_id must be a string; it is missing/],
    [line({ atm_id: '' }), /atm_id is shorter than 1/],
    [line({ latitude: 90.5 }), /latitude 90.5 is outside -90..90/],
    [line({ longitude: -180.5 }), /longitude -180.5 is outside -180..180/],
    [line({ latitude: '50.1' }), /latitude must be a number; it is "50.1"/],
    [line({ occurred_at: '2024-01-05 10:00:00Z' }), /not an ISO-8601 timestamp/],
    [line({ occurred_at: '2023-02-29T10:00:00Z' }), /not a real instant/],
    [line({ occurred_at: '2024-01-05T24:00:00Z' }), /not a real instant/],
    [line({ occurred_at: '2024-13-05T10:00:00Z' }), /not a real instant/],
    [line({ occurred_at: '2024-01-05T10:00:00+19:00' }), /not a real instant/],
  ])('says why %s is invalid', (text, reason) => {
    const parsed = parseTransactionLine(text);
    expect(parsed).toMatchObject({ ok: false, kind: 'invalid' });
    expect(parsed.ok ? '' : parsed.reason).toMatch(reason);
  });

  it('accepts the edges of the contract', () => {
    const ok = (values: Record<string, unknown>): LiveTransaction => {
      const parsed = parseTransactionLine(line(values));
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.txn;
    };
    expect(ok({ amount: 20000 }).amount).toBe('20000.00');
    expect(ok({ amount: 0.01 }).amount).toBe('0.01');
    expect(ok({ amount: '9999999999999999.99' }).amount).toBe('9999999999999999.99');
    expect(ok({ latitude: 90, longitude: -180 }).latitude).toBe(90);
    expect(ok({ transaction_id: '\u{1F600}'.repeat(128) }).transactionId).toHaveLength(256);
    expect(ok({ occurred_at: '2024-02-29T23:59:59-18:00' }).occurredAt).toBe(
      Date.parse('2024-03-01T17:59:59Z'),
    );
    expect(ok({ occurred_at: '2000-02-29T00:00:00Z' }).occurredAt).toBe(Date.parse('2000-02-29T00:00:00Z'));
    expect(ok({ operation: 'card_withdrawal' }).operation).toBe('card_withdrawal');
  });

  it('refuses 29 February of a century that is not a leap year', () => {
    expect(parseTransactionLine(line({ occurred_at: '1900-02-29T00:00:00Z' }))).toMatchObject({ ok: false });
  });

  it('canonicalAmount never goes through a float for strings', () => {
    expect(canonicalAmount('9007199254740993.01')).toEqual({ ok: true, value: '9007199254740993.01' });
  });
});

describe('rules given explicitly', () => {
  it('apply the given parameters, not the file', () => {
    const strict: FraudRules = { ...rules, burstCount: 2 };
    expect(flagged(detectAlerts(withdrawals(2, 5), strict), 'withdrawal_burst')).toEqual(['W2']);
  });
});
