/**
 * The fraud rules of contracts/fraud-rules.json, the file the hourly batch
 * (spark-jobs/bankpipe/fraud_rules.py) reads too. Nothing here copies a value
 * from it: the JSON is imported, so esbuild bundles it into the function.
 */
import rulesDocument from '../../../contracts/fraud-rules.json';

export const WITHDRAWAL_BURST = 'withdrawal_burst';
export const IMPOSSIBLE_TRAVEL = 'impossible_travel';
export const REPEATED_MAX_AMOUNT = 'repeated_max_amount';
export const RULE_NAMES = [WITHDRAWAL_BURST, IMPOSSIBLE_TRAVEL, REPEATED_MAX_AMOUNT] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** The parameters of the rules file, in its units (seconds, km, km/h, decimal money as text). */
export interface FraudRules {
  readonly burstCount: number;
  readonly burstWindowSeconds: number;
  readonly travelWindowSeconds: number;
  readonly travelMinKm: number;
  readonly travelMaxKmh: number;
  readonly earthRadiusKm: number;
  readonly maxAmountCount: number;
  readonly maxAmountWindowSeconds: number;
  /** Currency code -> the largest single withdrawal, as a decimal with exactly 2 places ("20000.00"). */
  readonly maxWithdrawalAmountByCurrency: Readonly<Record<string, string>>;
  readonly outOfOrderToleranceSeconds: number;
}

/** The rules file is unusable; the message names the key and how to fix it. */
export class FraudRulesError extends Error {
  override readonly name = 'FraudRulesError';
}

const RULES_SOURCE = 'contracts/fraud-rules.json';
const AMOUNT_PATTERN = /^(0|[1-9]\d{0,15})\.\d{2}$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

let bundledRules: FraudRules | undefined;

/** The rules of contracts/fraud-rules.json (bundled with the function), checked once. */
export function loadFraudRules(): FraudRules {
  bundledRules ??= fraudRulesFromDocument(rulesDocument, RULES_SOURCE);
  return bundledRules;
}

/** The look-back window of a rule: the length of its alerts' windows. */
export function ruleWindowSeconds(rules: FraudRules, rule: RuleName): number {
  switch (rule) {
    case WITHDRAWAL_BURST:
      return rules.burstWindowSeconds;
    case IMPOSSIBLE_TRAVEL:
      return rules.travelWindowSeconds;
    case REPEATED_MAX_AMOUNT:
      return rules.maxAmountWindowSeconds;
  }
}

/** The longest look-back window of all rules. */
export function longestWindowSeconds(rules: FraudRules): number {
  return Math.max(...RULE_NAMES.map((rule) => ruleWindowSeconds(rules, rule)));
}

/** Checks a parsed rules file and returns its parameters; `source` names the file in errors. */
export function fraudRulesFromDocument(document: unknown, source: string): FraudRules {
  const top = section(document, 'the file', source);
  const rules = section(top.rules, 'rules', source);
  const unknownRules = Object.keys(rules).filter((name) => !(RULE_NAMES as readonly string[]).includes(name));
  if (unknownRules.length > 0) {
    throw new FraudRulesError(
      `${source}: rules ${JSON.stringify(unknownRules)} are not implemented (known: ${RULE_NAMES.join(', ')}); ` +
        'implement them here and in spark-jobs/bankpipe/fraud.py before listing them',
    );
  }
  const burst = exactly(rules, WITHDRAWAL_BURST, ['burstCount', 'burstWindowSeconds'], source);
  const travel = exactly(
    rules,
    IMPOSSIBLE_TRAVEL,
    ['travelWindowSeconds', 'travelMinKm', 'travelMaxKmh', 'earthRadiusKm'],
    source,
  );
  const repeated = exactly(
    rules,
    REPEATED_MAX_AMOUNT,
    ['maxAmountCount', 'maxAmountWindowSeconds', 'maxWithdrawalAmountByCurrency'],
    source,
  );
  return {
    burstCount: wholeNumber(burst, 'burstCount', 1, source),
    burstWindowSeconds: wholeNumber(burst, 'burstWindowSeconds', 1, source),
    travelWindowSeconds: wholeNumber(travel, 'travelWindowSeconds', 1, source),
    travelMinKm: positiveNumber(travel, 'travelMinKm', source),
    travelMaxKmh: positiveNumber(travel, 'travelMaxKmh', source),
    earthRadiusKm: positiveNumber(travel, 'earthRadiusKm', source),
    maxAmountCount: wholeNumber(repeated, 'maxAmountCount', 1, source),
    maxAmountWindowSeconds: wholeNumber(repeated, 'maxAmountWindowSeconds', 1, source),
    maxWithdrawalAmountByCurrency: maxima(repeated.maxWithdrawalAmountByCurrency, source),
    outOfOrderToleranceSeconds: wholeNumber(top, 'outOfOrderToleranceSeconds', 0, source),
  };
}

type Node = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function section(value: unknown, what: string, source: string): Node {
  if (!isObject(value)) {
    throw new FraudRulesError(`${source}: ${what} must be a JSON object; it is ${JSON.stringify(value)}`);
  }
  return value;
}

function exactly(rules: Node, rule: RuleName, keys: readonly string[], source: string): Node {
  const node = section(rules[rule], `rules.${rule}`, source);
  const unknown = Object.keys(node).filter((key) => key !== 'description' && !keys.includes(key));
  const missing = keys.filter((key) => !(key in node));
  if (unknown.length > 0 || missing.length > 0) {
    throw new FraudRulesError(
      `${source}: rules.${rule}: unknown keys ${JSON.stringify(unknown)}, missing keys ${JSON.stringify(missing)}; ` +
        `it takes exactly ${keys.join(', ')} (and a description)`,
    );
  }
  return node;
}

function wholeNumber(node: Node, key: string, minimum: number, source: string): number {
  const value = node[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new FraudRulesError(
      `${source}: ${key} must be a whole number of ${minimum} or more; it is ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function positiveNumber(node: Node, key: string, source: string): number {
  const value = node[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw new FraudRulesError(`${source}: ${key} must be a number above 0; it is ${JSON.stringify(value)}`);
  }
  return value;
}

function maxima(value: unknown, source: string): Readonly<Record<string, string>> {
  const node = section(value, 'maxWithdrawalAmountByCurrency', source);
  const result: Record<string, string> = {};
  for (const [currency, amount] of Object.entries(node)) {
    if (!CURRENCY_PATTERN.test(currency)) {
      throw new FraudRulesError(`${source}: '${currency}' is not an ISO 4217 code like 'CZK'`);
    }
    if (typeof amount !== 'string' || !AMOUNT_PATTERN.test(amount) || amount === '0.00') {
      throw new FraudRulesError(
        `${source}: the ${currency} maximum must be a positive amount as a string with exactly 2 decimals, ` +
          `e.g. "20000.00"; it is ${JSON.stringify(amount)}`,
      );
    }
    result[currency] = amount;
  }
  return Object.freeze(result);
}
