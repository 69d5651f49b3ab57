/**
 * Deliberately bad lines, each broken in one known way, so that the pipeline's validation and
 * quarantine can be tested against what was injected. A bad line is a mutation of a good
 * transaction (the latest one produced) under a fresh transaction_id, so it never collides with
 * the good line it was made from. Field lists and enum values come from the contract.
 *
 * All kinds are invalid against contracts/transaction.schema.json except far_future_timestamp,
 * which is schema-valid and breaks a business rule instead (occurred_at decades ahead).
 */
import type { Atm, AtmNetwork } from './atm-network';
import {
  atmRequiredFields,
  contractEnums,
  requiredFields,
  transactionSchema,
  type EnumField,
} from './contract';
import type { Prng } from './prng';
import { centsToDecimalText, serializeRecord, type AmountFormat, type TxnRecord } from './record';

export const BAD_LINE_KINDS = [
  'malformed_json',
  'not_an_object',
  'missing_required_field',
  'empty_required_field',
  'non_positive_amount',
  'too_many_decimals',
  'non_numeric_amount',
  'unknown_enum',
  'bad_currency',
  'bad_timestamp',
  'far_future_timestamp',
  'atm_fields_missing',
  'coordinates_out_of_range',
] as const;
export type BadLineKind = (typeof BAD_LINE_KINDS)[number];

export interface BadLine {
  kind: BadLineKind;
  text: string;
  /** what exactly was broken: field, value, variant */
  detail: Record<string, unknown>;
  /** account the line belongs to, null when the mutation removed or emptied account_id */
  accountId: string | null;
  /** transaction_id written on the line, if any */
  transactionId: string | null;
}

/** Earliest year a far_future_timestamp line carries. */
export const FAR_FUTURE_MIN_YEAR = 2090;

type Json = Record<string, unknown>;

/** Removes fields in place (a Map-like delete; field names come from the contract, not user input). */
function removeFields(object: Json, fields: readonly string[]): void {
  const kept = Object.entries(object).filter(([key]) => !fields.includes(key));
  for (const key of Object.keys(object)) Reflect.deleteProperty(object, key);
  Object.assign(object, Object.fromEntries(kept));
}

const schemaProperties = (transactionSchema as { properties: Record<string, { minLength?: number }> })
  .properties;
/** Required string fields with a minLength: "" breaks them. */
const NON_EMPTY_REQUIRED = requiredFields.filter((f) => (schemaProperties[f]?.minLength ?? 0) > 0);

const WRONG_ENUM_VALUES: Record<EnumField, readonly string[]> = {
  type: ['CREDIT', 'withdrawal', 'DR', 'refund'],
  operation: ['withdrawal', 'cash-withdrawal', 'Transfer_In', 'chargeback', 'ATM'],
  channel: ['kiosk', 'ATM', 'web', 'phone', 'call_center'],
  status: ['pending', 'ok', 'success', 'COMPLETED', 'error'],
};
const BAD_CURRENCIES: readonly unknown[] = ['czk', 'Kč', 'CZ', 'EURO', 'C Z K', '', 203, null];
const NON_NUMERIC_AMOUNTS: readonly unknown[] = [
  '12,50',
  '1 200.00',
  'abc',
  'CZK 100',
  '',
  true,
  null,
  { value: 100 },
];

export class BadLineFactory {
  constructor(
    private readonly prng: Prng,
    private readonly network: AtmNetwork,
    private readonly amountFormat: AmountFormat,
  ) {
    for (const field of Object.keys(WRONG_ENUM_VALUES) as EnumField[]) {
      if (WRONG_ENUM_VALUES[field].some((v) => contractEnums[field].includes(v))) {
        throw new Error(`bad-lines: a "wrong" ${field} value is now allowed by the contract; pick others`);
      }
    }
  }

  make(kind: BadLineKind, template: TxnRecord): BadLine {
    const transactionId = this.prng.uuid();
    const object = JSON.parse(serializeRecord({ ...template, transactionId }, this.amountFormat)) as Json;
    const result = (detail: Record<string, unknown>, value: unknown = object): BadLine => ({
      kind,
      text: typeof value === 'string' && detail.raw === true ? value : JSON.stringify(value),
      detail: Object.fromEntries(Object.entries(detail).filter(([k]) => k !== 'raw')),
      accountId: typeof object.account_id === 'string' && object.account_id !== '' ? object.account_id : null,
      transactionId: typeof object.transaction_id === 'string' ? object.transaction_id : null,
    });
    switch (kind) {
      case 'malformed_json': {
        const [variant, text] = this.malformed(JSON.stringify(object));
        return result({ variant, raw: true }, text);
      }
      case 'not_an_object': {
        const variant = this.prng.pick(['array', 'string', 'number', 'null'] as const);
        const value =
          variant === 'array'
            ? Object.values(object)
            : variant === 'string'
              ? JSON.stringify(object)
              : variant === 'number'
                ? template.amountCents / 100
                : null;
        return result({ variant }, value);
      }
      case 'missing_required_field': {
        const field = this.prng.pick(requiredFields);
        removeFields(object, [field]);
        return result({ field });
      }
      case 'empty_required_field': {
        const field = this.prng.pick(NON_EMPTY_REQUIRED);
        object[field] = '';
        return result({ field });
      }
      case 'non_positive_amount': {
        const magnitude = template.amountCents;
        const value = this.prng.pick([0, -magnitude / 100, '0.00', `-${centsToDecimalText(magnitude)}`, '0']);
        object.amount = value;
        return result({ field: 'amount', value });
      }
      case 'too_many_decimals': {
        const thousandths = template.amountCents * 10 + this.prng.intBetween(1, 9);
        const text = `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, '0')}`;
        const value = this.prng.chance(0.5) ? Number(text) : text;
        object.amount = value;
        return result({ field: 'amount', value });
      }
      case 'non_numeric_amount': {
        const value = this.prng.pick(NON_NUMERIC_AMOUNTS);
        object.amount = value;
        return result({ field: 'amount', value });
      }
      case 'unknown_enum': {
        const field = this.prng.pick(Object.keys(WRONG_ENUM_VALUES) as EnumField[]);
        const value = this.prng.pick(WRONG_ENUM_VALUES[field]);
        object[field] = value;
        return result({ field, value });
      }
      case 'bad_currency': {
        const value = this.prng.pick(BAD_CURRENCIES);
        object.currency = value;
        return result({ field: 'currency', value });
      }
      case 'bad_timestamp': {
        const value = this.badTimestamp(template.occurredAt);
        object.occurred_at = value;
        return result({ field: 'occurred_at', value });
      }
      case 'far_future_timestamp': {
        const year =
          Math.max(FAR_FUTURE_MIN_YEAR, Number(template.occurredAt.slice(0, 4)) + 60) + this.prng.int(10);
        // Feb 29 does not exist in most years: keep the date valid, only its year is wrong.
        const rest = template.occurredAt.slice(4).replace(/^-02-29/, '-02-28');
        const value = `${year}${rest}`;
        object.occurred_at = value;
        return result({ field: 'occurred_at', value });
      }
      case 'atm_fields_missing': {
        // A non-ATM line relabelled as atm lacks all ATM fields; an ATM line loses some of them.
        const wasAtm = object.channel === 'atm';
        object.channel = 'atm';
        const removed = wasAtm
          ? this.shuffled(atmRequiredFields).slice(0, this.prng.intBetween(1, atmRequiredFields.length))
          : [...atmRequiredFields];
        removeFields(object, removed);
        return result({ removed, relabelled: !wasAtm });
      }
      case 'coordinates_out_of_range': {
        if (object.channel !== 'atm') this.makeAtm(object, this.prng.pick(this.network.atms));
        const field = this.prng.chance(0.5) ? 'latitude' : 'longitude';
        const limit = field === 'latitude' ? 90 : 180;
        const magnitude = Number((limit + this.prng.between(0.5, limit)).toFixed(6));
        const value = this.prng.chance(0.5) ? magnitude : -magnitude;
        object[field] = value;
        return result({ field, value });
      }
    }
  }

  private shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.prng.int(i + 1);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  private makeAtm(object: Json, atm: Atm): void {
    Object.assign(object, {
      channel: 'atm',
      atm_id: atm.id,
      atm_location: atm.location,
      city: atm.city,
      country: atm.country,
      latitude: atm.latitude,
      longitude: atm.longitude,
    });
  }

  private malformed(json: string): [string, string] {
    const variant = this.prng.pick([
      'truncated',
      'missing_closing_brace',
      'trailing_comma',
      'single_quotes',
      'unquoted_keys',
      'nan_amount',
      'double_comma',
    ] as const);
    switch (variant) {
      case 'truncated':
        return [variant, json.slice(0, this.prng.intBetween(10, json.length - 2))];
      case 'missing_closing_brace':
        return [variant, json.slice(0, -1)];
      case 'trailing_comma':
        return [variant, `${json.slice(0, -1)},}`];
      case 'single_quotes':
        return [variant, json.replace(/"/g, "'")];
      case 'unquoted_keys':
        return [variant, json.replace(/"([a-z_]+)":/g, '$1:')];
      case 'nan_amount':
        return [variant, json.replace(/"amount":("[^"]*"|[^,}]*)/, '"amount":NaN')];
      case 'double_comma':
        return [variant, json.replace(',', ',,')];
    }
  }

  private badTimestamp(good: string): unknown {
    const year = good.slice(0, 4);
    const variants: unknown[] = [
      good.replace('T', ' ').replace('Z', ''), // "2024-03-05 10:15:00": SQL style, no offset
      good.replace('Z', ''), // ISO without offset
      `${good.slice(8, 10)}/${good.slice(5, 7)}/${year} ${good.slice(11, 19)}`, // dd/mm/yyyy
      `${year}-02-30${good.slice(10)}`, // impossible calendar date
      `${good.slice(0, 11)}25:61:00Z`, // impossible time
      String(Math.floor(Date.parse(good) / 1000)), // epoch seconds as text
      Math.floor(Date.parse(good) / 1000), // epoch seconds as a number
      '',
    ];
    return this.prng.pick(variants);
  }
}
