/**
 * The whole transaction contract (contracts/transaction.schema.json), checked on a topic line.
 *
 * The ATM job quarantines a line that breaks the contract anywhere (a bad status, a missing
 * country), so the live rules must not read it either: an alert on it would have no counterpart in
 * the batch's fraud report. The schema is compiled once per process with ajv (JSON Schema 2020-12,
 * the contract's `$schema`); what JSON Schema cannot see (the storage range of amounts, real
 * calendar instants, the future limit) is checked by the parser's own readers.
 */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import transactionSchema from '../../../contracts/transaction.schema.json';

/** The contract's own keyword (read by the parser and the ATM job): an annotation for ajv. */
const MAX_FUTURE_MINUTES_KEYWORD = 'x-maxFutureMinutes';

const ajv = new Ajv2020({
  strict: true,
  // if/then on channel constrains properties declared at the top level: not a type error.
  strictRequired: false,
  strictTypes: false,
  // multipleOf 0.01 by float division would refuse 0.07 (7.000000000000001 cents); the job checks
  // it in decimal arithmetic, which this precision matches for two-decimal amounts.
  multipleOfPrecision: 9,
});
addFormats(ajv, ['date-time']);
// Its value is checked where it is read (transaction.ts), with the key and the file in the error.
ajv.addKeyword(MAX_FUTURE_MINUTES_KEYWORD);
const validate = ajv.compile(transactionSchema);

/** Why the parsed line breaks the contract, naming the field; undefined when it keeps it. */
export function contractViolation(document: unknown): string | undefined {
  if (validate(document)) return undefined;
  const errors = validate.errors ?? [];
  // oneOf/anyOf/if report their branches first: the most specific error is the first one.
  return errors.length === 0 ? 'the line breaks the transaction contract' : describe(errors[0]);
}

function describe(error: ErrorObject): string {
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  const field =
    typeof missing === 'string'
      ? missing
      : error.instancePath.slice(1).replaceAll('/', '.') || 'the transaction';
  const message = typeof missing === 'string' ? 'is required' : (error.message ?? 'is invalid');
  return `${field} ${message} (contracts/transaction.schema.json)`;
}
