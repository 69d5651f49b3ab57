/**
 * Money as decimal text with exactly 2 places ("20000.00"), so amounts are
 * compared exactly, never as binary floats. The accepted forms are the
 * transaction contract's (contracts/transaction.schema.json, property amount).
 */
import transactionSchema from '../../../contracts/transaction.schema.json';

const [NUMBER_FORM, STRING_FORM] = transactionSchema.properties.amount.oneOf;
const AMOUNT_STRING = new RegExp(STRING_FORM.pattern ?? '');
/** A plain decimal with at most 2 places, as JavaScript prints a number (no exponent). */
const PRINTED_NUMBER = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
/** The job stores money as decimal(18,2): 16 integer digits. */
const MAX_INTEGER_DIGITS = 16;

export type AmountResult =
  { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** A contract amount (JSON number or numeric string) as canonical decimal text, or why it is not one. */
export function canonicalAmount(value: unknown): AmountResult {
  if (typeof value === 'number') {
    // The shortest text that reads back as the same number: 20000 -> "20000", 0.1 -> "0.1".
    const printed = String(value);
    if (!PRINTED_NUMBER.test(printed) || !(value > (NUMBER_FORM.exclusiveMinimum ?? 0))) {
      return { ok: false, reason: `${printed} is not a positive amount with at most 2 decimals` };
    }
    return fixed(printed);
  }
  if (typeof value === 'string') {
    if (!AMOUNT_STRING.test(value)) {
      return { ok: false, reason: `'${value}' is not a positive amount with at most 2 decimals` };
    }
    return fixed(value);
  }
  return {
    ok: false,
    reason: `must be a number or a numeric string; it is ${JSON.stringify(value) ?? 'missing'}`,
  };
}

function fixed(decimal: string): AmountResult {
  const [integer, fraction = ''] = decimal.split('.');
  if (integer.length > MAX_INTEGER_DIGITS) {
    return { ok: false, reason: `${decimal} has more than ${MAX_INTEGER_DIGITS} integer digits` };
  }
  return { ok: true, value: `${integer}.${fraction.padEnd(2, '0')}` };
}
