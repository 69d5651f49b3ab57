import { ConfigError } from './config-error';
import type { StageConfig } from './stage-config';

/** The JSON type a setting takes in cdk.json; the loader refuses any other before a rule runs. */
export type JsonType = 'number' | 'string' | 'boolean' | 'list';

/** A rule between this setting and others (or the stage name); it runs once every value passed its own rule. */
export interface CrossKeyRule<T> {
  /** The rule in a few words, for the settings table. */
  readonly text: string;
  /** Throws a ConfigError naming `key`, the value, what it breaks and the fix. */
  readonly check: (key: string, value: T, config: StageConfig) => void;
}

/** What is wrong with a value and the fix, or undefined when nothing is. */
export type Breach = readonly [problem: string, fix: string] | undefined;

/**
 * A cross-key rule that a value breaks when `broken` returns what is wrong
 * (after the value, e.g. `5 is not after ...`) and the fix; the check throws
 * them as a ConfigError naming the key.
 */
export function crossKeyRule<T>(
  text: string,
  broken: (value: T, config: StageConfig) => Breach,
): CrossKeyRule<T> {
  return {
    text,
    check: (key, value, config) => {
      const found = broken(value, config);
      if (found !== undefined) throw new ConfigError(key, ...found);
    },
  };
}

/**
 * One stage setting: its type, default, rule and meaning, in one place. The
 * stage config's TypeScript type, the defaults, the validation and the
 * README's settings table are all derived from these entries.
 */
export interface Setting<T> {
  readonly jsonType: JsonType;
  /**
   * What a stage gets when cdk.json leaves the key out. A function when the
   * default is built from the stage name (e.g. a secret name under `<stage>/`).
   */
  readonly default: T | ((stage: string) => T);
  /** True for settings a stage may leave unset; `unset` says what that means. */
  readonly optional: boolean;
  /** What an unset optional setting means, for the settings table. */
  readonly unset?: string;
  /** What the setting does, one line. */
  readonly meaning: string;
  /** What a lower or higher value costs or risks, where that is the point of the setting. */
  readonly tradeOff?: string;
  /** The setting's own rule (range, choices, pattern) in a few words, for the settings table. */
  readonly rule: string;
  /** Checks the value alone; throws a ConfigError naming `key`. Not called for an unset optional setting. */
  readonly check: (key: string, value: unknown) => void;
  readonly crossKeyRule?: CrossKeyRule<T>;
  /** How a value reads in the settings table; JSON otherwise. */
  readonly display?: (value: Exclude<T, undefined>) => string;
}

/** A setting a stage may leave unset. */
export type OptionalSetting<T> = Setting<T | undefined> & { readonly optional: true };

/**
 * A setting's kind: its JSON type and its own rule, the part a builder below
 * makes; `setting` and `optionalSetting` add the default and the meaning.
 */
export interface Kind<T> {
  readonly jsonType: JsonType;
  readonly rule: string;
  readonly check: (key: string, value: unknown) => void;
  /** Only there to carry T; never set. */
  readonly valueType?: T;
}

/** What a setting says besides its kind. */
interface Description<T> {
  readonly meaning: string;
  readonly tradeOff?: string;
  readonly crossKeyRule?: CrossKeyRule<T>;
  readonly display?: (value: Exclude<T, undefined>) => string;
}

/** A setting every stage has, `default` when cdk.json leaves it out. */
export function setting<T>(
  kind: Kind<T>,
  description: Description<NoInfer<T>> & { readonly default: NoInfer<T> | ((stage: string) => NoInfer<T>) },
): Setting<T> {
  const { jsonType, rule, check } = kind;
  return { ...description, jsonType, rule, check, optional: false };
}

/**
 * A setting a stage may leave unset; `unset` says what that means. Its own
 * rule runs only on a value, its cross-key rule either way.
 */
export function optionalSetting<T>(
  kind: Kind<T>,
  description: Description<NoInfer<T> | undefined> & { readonly unset: string },
): OptionalSetting<T> {
  const { jsonType, rule, check } = kind;
  return { ...description, jsonType, rule, check, default: undefined, optional: true };
}

/** The value a stage gets for a setting it leaves out. */
export function defaultOf<T>(entry: Setting<T>, stage: string): T {
  const { default: value } = entry;
  return typeof value === 'function' ? (value as (stage: string) => T)(stage) : value;
}

/**
 * A whole number in [min, max], a multiple of `step` when given; `purpose` is
 * repeated in the fix so the reader knows what the number counts, `unit`
 * follows the examples of steps.
 */
export function wholeNumber(
  min: number,
  max: number,
  options: { readonly step?: number; readonly unit?: string; readonly purpose?: string } = {},
): Kind<number> {
  const { step, unit, purpose } = options;
  const range = max === Number.MAX_SAFE_INTEGER ? `whole number ≥ ${min}` : `whole number ${min}–${max}`;
  return {
    jsonType: 'number',
    rule: step === undefined ? range : `${range}, in steps of ${step}`,
    check: (key, value) => {
      requireWholeNumber(key, value, min, max, purpose);
      if (step !== undefined && (value as number) % step !== 0) {
        throw new ConfigError(
          key,
          `${JSON.stringify(value)} is not a multiple of ${step}`,
          `use ${min}, ${min + step}, ${min + 2 * step}, ... ${max}${unit === undefined ? '' : ` ${unit}`}`,
        );
      }
    },
  };
}

/** One of a fixed list of numbers. */
export function numberChoice(choices: readonly number[], fix: string): Kind<number> {
  return {
    jsonType: 'number',
    rule: `one of ${choices.join(', ')}`,
    check: (key, value) => requireOneOf(key, value, choices, fix),
  };
}

/** One of a fixed list of strings; the setting's type is their union. */
export function textChoice<const T extends string>(choices: readonly T[], fix: string): Kind<T> {
  return {
    jsonType: 'string',
    rule: `one of ${choices.map((choice) => `\`${choice}\``).join(', ')}`,
    check: (key, value) => requireOneOf(key, value, choices, fix),
  };
}

/** True or false. */
export const flag: Kind<boolean> = {
  jsonType: 'boolean',
  rule: '`true` or `false`',
  check: (key, value) => requireOneOf(key, value, [true, false], 'use true or false'),
};

/** A string matching `pattern`; `rule` describes the pattern to a reader, `fix` says what to write. */
export function pattern(regex: RegExp, rule: string, fix: string): Kind<string> {
  return {
    jsonType: 'string',
    rule,
    check: (key, value) => {
      if (typeof value !== 'string' || !regex.test(value)) {
        throw new ConfigError(key, `${JSON.stringify(value)} is not valid`, fix);
      }
    },
  };
}

/** A kind whose own rule is more than a range, a choice or a pattern. */
export function customKind<T>(
  jsonType: JsonType,
  rule: string,
  check: (key: string, value: unknown) => void,
): Kind<T> {
  return { jsonType, rule, check };
}

export function requireWholeNumber(
  key: string,
  value: unknown,
  min: number,
  max: number,
  purpose?: string,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      key,
      `${JSON.stringify(value)} is not a whole number from ${min} to ${max}`,
      `set it to a value from ${min} to ${max}${purpose === undefined ? '' : ` (${purpose})`}`,
    );
  }
}

function requireOneOf<T>(key: string, value: unknown, allowed: readonly T[], fix: string): void {
  if (!allowed.includes(value as T)) {
    throw new ConfigError(key, `${JSON.stringify(value)} is not allowed`, fix);
  }
}
