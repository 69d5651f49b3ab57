/**
 * contracts/fraud-rules.json as the live consumer reads it (lambda/live-alerts/fraud-rules/rules.ts):
 * the units of its keys, each check at its edge (the smallest accepted value and the largest refused
 * one), and every refusal's whole message. The batch's reader is pinned the same way in
 * test/spark-jobs/test_fraud_rules_file.py.
 *
 * Every call into rules.ts happens inside a test, never while this file is imported: Stryker's vitest
 * runner counts a test file that fails to import as one without tests, so a mutant that breaks loading
 * the rules would otherwise survive (`make mutation`, docs/reliability.md).
 */
import { describe, expect, it, vi } from 'vitest';
import rulesDocument from '../../../contracts/fraud-rules.json';
import {
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
} from '../../../lambda/live-alerts/fraud-rules';

type RulesDocument = { rules: Record<string, Record<string, unknown>> } & Record<string, unknown>;

const SOURCE = 'rules.json';
const KNOWN = 'withdrawal_burst, impossible_travel, repeated_max_amount';

function copy(): RulesDocument {
  return structuredClone(rulesDocument) as unknown as RulesDocument;
}

function withValue(rule: string, key: string, value: unknown): RulesDocument {
  const document = copy();
  document.rules[rule][key] = value;
  return document;
}

/** The message fraudRulesFromDocument refuses `document` with; fails when it accepts it. */
function refusal(document: unknown): string {
  try {
    fraudRulesFromDocument(document, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(FraudRulesError);
    return (error as Error).message;
  }
  throw new Error('the document was accepted');
}

describe('the rules file', () => {
  it('names the three rules the file holds', () => {
    expect([WITHDRAWAL_BURST, IMPOSSIBLE_TRAVEL, REPEATED_MAX_AMOUNT]).toEqual([
      'withdrawal_burst',
      'impossible_travel',
      'repeated_max_amount',
    ]);
    expect(RULE_NAMES).toEqual([WITHDRAWAL_BURST, IMPOSSIBLE_TRAVEL, REPEATED_MAX_AMOUNT]);
    expect(Object.keys(rulesDocument.rules).sort()).toEqual([...RULE_NAMES].sort());
  });

  it('is read once, with the units of its keys', () => {
    const {
      withdrawal_burst: burst,
      impossible_travel: travel,
      repeated_max_amount: max,
    } = rulesDocument.rules;
    const expected: FraudRules = {
      burstCount: burst.burstCount,
      burstWindowSeconds: burst.burstWindowSeconds,
      travelWindowSeconds: travel.travelWindowSeconds,
      travelMinKm: travel.travelMinKm,
      travelMaxKmh: travel.travelMaxKmh,
      earthRadiusKm: travel.earthRadiusKm,
      maxAmountCount: max.maxAmountCount,
      maxAmountWindowSeconds: max.maxAmountWindowSeconds,
      maxWithdrawalAmountByCurrency: max.maxWithdrawalAmountByCurrency,
      outOfOrderToleranceSeconds: rulesDocument.outOfOrderToleranceSeconds,
    };
    const rules = loadFraudRules();
    expect(rules).toStrictEqual(expected);
    expect(loadFraudRules()).toBe(rules);
    expect(Object.isFrozen(rules.maxWithdrawalAmountByCurrency)).toBe(true);
  });

  it('names the bundled file when it is unusable', async () => {
    vi.resetModules();
    vi.doMock('../../../contracts/fraud-rules.json', () => ({ default: { rules: [] } }));
    try {
      const bundled = await import('../../../lambda/live-alerts/fraud-rules/rules');
      expect(() => bundled.loadFraudRules()).toThrow(
        new bundled.FraudRulesError('contracts/fraud-rules.json: rules must be a JSON object; it is []'),
      );
    } finally {
      vi.doUnmock('../../../contracts/fraud-rules.json');
      vi.resetModules();
    }
  });

  it('refuses with a FraudRulesError', () => {
    const error = new FraudRulesError('x');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FraudRulesError');
    expect(String(error)).toBe('FraudRulesError: x');
  });
});

describe('the window of each rule', () => {
  const rules: FraudRules = {
    burstCount: 3,
    burstWindowSeconds: 1,
    travelWindowSeconds: 2,
    travelMinKm: 1,
    travelMaxKmh: 300,
    earthRadiusKm: 6371,
    maxAmountCount: 3,
    maxAmountWindowSeconds: 3,
    maxWithdrawalAmountByCurrency: {},
    outOfOrderToleranceSeconds: 0,
  };

  it('is the rule’s own key', () => {
    expect(RULE_NAMES.map((rule) => ruleWindowSeconds(rules, rule))).toEqual([1, 2, 3]);
  });

  it.each([
    ['burst', { burstWindowSeconds: 9 }],
    ['travel', { travelWindowSeconds: 9 }],
    ['repeated maximum', { maxAmountWindowSeconds: 9 }],
  ])('is longest when the %s window is', (_rule, longest) => {
    expect(longestWindowSeconds({ ...rules, ...longest })).toBe(9);
  });
});

describe('a rules document', () => {
  it.each([
    ['a file that is null', (): unknown => null, 'the file must be a JSON object; it is null'],
    ['a file that is a list', (): unknown => [], 'the file must be a JSON object; it is []'],
    ['a file that is a string', (): unknown => 'rules', 'the file must be a JSON object; it is "rules"'],
    [
      'rules that are null',
      (): unknown => ({ ...copy(), rules: null }),
      'rules must be a JSON object; it is null',
    ],
    [
      'rules that are a number',
      (): unknown => ({ ...copy(), rules: 7 }),
      'rules must be a JSON object; it is 7',
    ],
    [
      'a rule that is a list',
      (): unknown => ({ ...copy(), rules: { ...copy().rules, impossible_travel: [] } }),
      'rules.impossible_travel must be a JSON object; it is []',
    ],
  ])('refuses %s, naming the part', (_what, document, message) => {
    expect(refusal(document())).toBe(`${SOURCE}: ${message}`);
  });

  it('refuses a rule it does not implement, naming the rules it knows', () => {
    const document = copy();
    document.rules.night_owl = {};
    expect(refusal(document)).toBe(
      `${SOURCE}: rules ["night_owl"] are not implemented (known: ${KNOWN}); ` +
        'implement them here and in spark-jobs/bankpipe/fraud.py before listing them',
    );
  });

  it('takes each rule without its description', () => {
    const document = copy();
    for (const rule of RULE_NAMES) delete document.rules[rule].description;
    expect(fraudRulesFromDocument(document, SOURCE)).toStrictEqual(
      fraudRulesFromDocument(rulesDocument, SOURCE),
    );
  });

  it.each([
    [WITHDRAWAL_BURST, 'burstCount, burstWindowSeconds'],
    [IMPOSSIBLE_TRAVEL, 'travelWindowSeconds, travelMinKm, travelMaxKmh, earthRadiusKm'],
    [REPEATED_MAX_AMOUNT, 'maxAmountCount, maxAmountWindowSeconds, maxWithdrawalAmountByCurrency'],
  ])('takes exactly the keys of %s', (rule, keys) => {
    const takes = `it takes exactly ${keys} (and a description)`;
    for (const key of keys.split(', ')) {
      const missing = copy();
      missing.rules[rule] = Object.fromEntries(
        Object.entries(missing.rules[rule]).filter(([k]) => k !== key),
      );
      expect(refusal(missing)).toBe(
        `${SOURCE}: rules.${rule}: unknown keys [], missing keys ["${key}"]; ${takes}`,
      );
    }
    const unknown = withValue(rule, 'extra', 1);
    expect(refusal(unknown)).toBe(
      `${SOURCE}: rules.${rule}: unknown keys ["extra"], missing keys []; ${takes}`,
    );
  });

  it.each([
    [WITHDRAWAL_BURST, 'burstCount', 1],
    [WITHDRAWAL_BURST, 'burstWindowSeconds', 1],
    [IMPOSSIBLE_TRAVEL, 'travelWindowSeconds', 1],
    [REPEATED_MAX_AMOUNT, 'maxAmountCount', 1],
    [REPEATED_MAX_AMOUNT, 'maxAmountWindowSeconds', 1],
  ])('takes %s %s from %i, a whole number', (rule, key, minimum) => {
    const read = (value: unknown): unknown =>
      fraudRulesFromDocument(withValue(rule, key, value), SOURCE)[key as keyof FraudRules];
    expect(read(minimum)).toBe(minimum);
    expect(read(Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    const whole = `${SOURCE}: ${key} must be a whole number of ${minimum} or more; it is`;
    expect(refusal(withValue(rule, key, minimum - 1))).toBe(`${whole} ${minimum - 1}`);
    expect(refusal(withValue(rule, key, minimum + 0.5))).toBe(`${whole} ${minimum + 0.5}`);
    expect(refusal(withValue(rule, key, Number.MAX_SAFE_INTEGER + 1))).toBe(`${whole} 9007199254740992`);
    expect(refusal(withValue(rule, key, String(minimum)))).toBe(`${whole} "${minimum}"`);
  });

  it('takes a tolerance for late records from 0 seconds', () => {
    const read = (value: unknown): number =>
      fraudRulesFromDocument({ ...copy(), outOfOrderToleranceSeconds: value }, SOURCE)
        .outOfOrderToleranceSeconds;
    expect(read(0)).toBe(0);
    expect(refusal({ ...copy(), outOfOrderToleranceSeconds: -1 })).toBe(
      `${SOURCE}: outOfOrderToleranceSeconds must be a whole number of 0 or more; it is -1`,
    );
  });

  it.each(['travelMinKm', 'travelMaxKmh', 'earthRadiusKm'])('takes %s above 0, a finite number', (key) => {
    const read = (value: unknown): unknown =>
      fraudRulesFromDocument(withValue(IMPOSSIBLE_TRAVEL, key, value), SOURCE)[key as keyof FraudRules];
    expect(read(Number.MIN_VALUE)).toBe(Number.MIN_VALUE);
    expect(read(Number.MAX_VALUE)).toBe(Number.MAX_VALUE);
    const above = `${SOURCE}: ${key} must be a number above 0; it is`;
    expect(refusal(withValue(IMPOSSIBLE_TRAVEL, key, 0))).toBe(`${above} 0`);
    expect(refusal(withValue(IMPOSSIBLE_TRAVEL, key, -Number.MIN_VALUE))).toBe(`${above} -5e-324`);
    expect(refusal(withValue(IMPOSSIBLE_TRAVEL, key, Infinity))).toBe(`${above} null`);
    expect(refusal(withValue(IMPOSSIBLE_TRAVEL, key, NaN))).toBe(`${above} null`);
    expect(refusal(withValue(IMPOSSIBLE_TRAVEL, key, '300'))).toBe(`${above} "300"`);
  });
});

describe('the maximum withdrawal of each currency', () => {
  const maxima = (byCurrency: unknown): unknown =>
    fraudRulesFromDocument(
      withValue(REPEATED_MAX_AMOUNT, 'maxWithdrawalAmountByCurrency', byCurrency),
      SOURCE,
    ).maxWithdrawalAmountByCurrency;
  const refused = (byCurrency: unknown): string =>
    refusal(withValue(REPEATED_MAX_AMOUNT, 'maxWithdrawalAmountByCurrency', byCurrency));
  const notAmount = (currency: string, shown: string): string =>
    `${SOURCE}: the ${currency} maximum must be a positive amount as a string with exactly 2 decimals, ` +
    `e.g. "20000.00"; it is ${shown}`;

  it('takes amounts from a cent up to 16 integer digits, as written', () => {
    const amounts = { CZK: '0.01', EUR: '9999999999999999.99', USD: '10.00', GBP: '1.10' };
    expect(maxima(amounts)).toStrictEqual(amounts);
    expect(maxima({})).toStrictEqual({});
  });

  it.each([
    '0.00',
    '0.0',
    '0',
    '1.0',
    '1.000',
    '01.00',
    '10000000000000000.00',
    'x1.00',
    '1.00x',
    '1,00',
    '-1.00',
  ])('refuses the amount %s', (amount) => {
    expect(refused({ CZK: amount })).toBe(notAmount('CZK', JSON.stringify(amount)));
  });

  it('refuses an amount that is not a string', () => {
    expect(refused({ CZK: 20000 })).toBe(notAmount('CZK', '20000'));
    // A number whose text has exactly 2 decimals would pass the amount pattern.
    expect(refused({ CZK: 1.25 })).toBe(notAmount('CZK', '1.25'));
  });

  it.each(['CZ', 'CZKK', 'czk', 'C1K', 'xCZK', 'CZKx', ''])('refuses the currency code %j', (currency) => {
    expect(refused({ [currency]: '1.00' })).toBe(
      `${SOURCE}: '${currency}' is not an ISO 4217 code like 'CZK'`,
    );
  });

  it('refuses a list of maxima', () => {
    expect(refused([['CZK', '1.00']])).toBe(
      `${SOURCE}: maxWithdrawalAmountByCurrency must be a JSON object; it is [["CZK","1.00"]]`,
    );
  });
});
