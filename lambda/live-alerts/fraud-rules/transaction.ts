/**
 * One line of the transactions topic, reduced to what the fraud rules read.
 *
 * The fields the rules read are checked with the transaction contract's own
 * patterns and bounds (contracts/transaction.schema.json, imported, not
 * copied), each with its own reason; then the whole line against the contract
 * (contract-check.ts), so that a line the batch quarantines for another field
 * (say, a bad status) raises no alert here either.
 */
import transactionSchema from '../../../contracts/transaction.schema.json';
import { contractViolation } from './contract-check';
import { canonicalAmount } from './money';

/** An ATM transaction of a card, as the rules see it. */
export interface LiveTransaction {
  readonly transactionId: string;
  readonly accountId: string;
  readonly cardId: string;
  /** occurred_at as epoch milliseconds (the rules use whole seconds, rounded down). */
  readonly occurredAt: number;
  readonly operation: string;
  /** The amount as a decimal with exactly 2 places ("20000.00"), never a binary float. */
  readonly amount: string;
  readonly currency: string;
  readonly atmId: string;
  readonly latitude: number;
  readonly longitude: number;
}

/**
 * Why a line yields no transaction: `invalid` (it breaks the contract, where
 * the rules read it or anywhere else: count it as a bad line) or
 * `not-applicable` (a valid line the rules never look at: not an ATM
 * transaction, or no card).
 */
export type SkipKind = 'invalid' | 'not-applicable';

export type ParsedLine =
  | { readonly ok: true; readonly txn: LiveTransaction }
  | { readonly ok: false; readonly reason: string; readonly kind: SkipKind };

export const ATM_CHANNEL = 'atm';
export const WITHDRAWAL_OPERATIONS: readonly string[] = ['cash_withdrawal', 'card_withdrawal'];

interface StringRule {
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}
interface NumberRule {
  readonly minimum?: number;
  readonly maximum?: number;
}

const properties = transactionSchema.properties;
const OCCURRED_AT = new RegExp(properties.occurred_at.pattern);
/**
 * How far after processing an event time may be: the contract's x-maxFutureMinutes, the limit the
 * ATM job quarantines by (future_timestamp:occurred_at). A line past it is a bad line here too, so it
 * never enters a card's history (where it would push the card's newest event time decades ahead).
 */
export const MAX_FUTURE_MINUTES = maxFutureMinutes(properties.occurred_at['x-maxFutureMinutes']);
const CURRENCY = new RegExp(properties.currency.pattern);
const OPERATIONS: readonly string[] = properties.operation.enum;
const CHANNELS: readonly string[] = properties.channel.enum;

type JsonObject = Readonly<Record<string, unknown>>;

class LineError extends Error {}

/**
 * Parses one JSON line of the topic; never throws. `now` (epoch ms, default the clock) is the moment
 * of processing that the future limit counts from, as the ATM job's `now`.
 */
export function parseTransactionLine(line: string, now: number = Date.now()): ParsedLine {
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    return invalid('the line is not JSON');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return invalid('the line is not a JSON object');
  }
  let parsed: ParsedLine;
  try {
    parsed = readTransaction(document as JsonObject, now);
  } catch (error) {
    if (error instanceof LineError) return invalid(error.message);
    throw error;
  }
  // A line the rules could read, or would not look at, may still break the contract elsewhere.
  const violation = contractViolation(document);
  return violation === undefined ? parsed : invalid(violation);
}

function readTransaction(doc: JsonObject, now: number): ParsedLine {
  const channel = text(doc, 'channel', {});
  if (!CHANNELS.includes(channel))
    throw new LineError(`channel '${channel}' is not one of ${CHANNELS.join(', ')}`);
  if (channel !== ATM_CHANNEL) return notApplicable(`channel is '${channel}', not '${ATM_CHANNEL}'`);
  const cardId = doc.card_id;
  if (cardId === undefined || cardId === null) return notApplicable('the transaction has no card_id');
  if (typeof cardId !== 'string')
    throw new LineError(`card_id must be a string or null; it is ${describe(cardId)}`);
  const operation = text(doc, 'operation', {});
  if (!OPERATIONS.includes(operation)) {
    throw new LineError(`operation '${operation}' is not one of ${OPERATIONS.join(', ')}`);
  }
  const currency = text(doc, 'currency', {});
  if (!CURRENCY.test(currency)) throw new LineError(`currency '${currency}' is not a 3-letter ISO 4217 code`);
  const amount = canonicalAmount(doc.amount);
  if (!amount.ok) throw new LineError(`amount ${amount.reason}`);
  const occurredAt = epochMillis(text(doc, 'occurred_at', {}));
  if (occurredAt > now + MAX_FUTURE_MINUTES * 60_000) {
    throw new LineError(
      `occurred_at ${String(doc.occurred_at)} is more than ${MAX_FUTURE_MINUTES} minutes after ` +
        `${new Date(now).toISOString()}, the time it was processed`,
    );
  }
  return {
    ok: true,
    txn: {
      transactionId: text(doc, 'transaction_id', properties.transaction_id),
      accountId: text(doc, 'account_id', properties.account_id),
      cardId,
      occurredAt,
      operation,
      amount: amount.value,
      currency,
      atmId: text(doc, 'atm_id', properties.atm_id),
      latitude: coordinate(doc, 'latitude', properties.latitude),
      longitude: coordinate(doc, 'longitude', properties.longitude),
    },
  };
}

function invalid(reason: string): ParsedLine {
  return { ok: false, reason, kind: 'invalid' };
}

function notApplicable(reason: string): ParsedLine {
  return { ok: false, reason, kind: 'not-applicable' };
}

function describe(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function text(doc: JsonObject, field: string, rule: StringRule): string {
  const value = doc[field];
  if (typeof value !== 'string') throw new LineError(`${field} must be a string; it is ${describe(value)}`);
  // JSON Schema counts characters (code points), not UTF-16 units.
  const length = [...value].length;
  if (rule.minLength !== undefined && length < rule.minLength) {
    throw new LineError(`${field} is shorter than ${rule.minLength} characters`);
  }
  if (rule.maxLength !== undefined && length > rule.maxLength) {
    throw new LineError(`${field} is longer than ${rule.maxLength} characters`);
  }
  return value;
}

function coordinate(doc: JsonObject, field: string, rule: NumberRule): number {
  const value = doc[field];
  if (typeof value !== 'number') throw new LineError(`${field} must be a number; it is ${describe(value)}`);
  if (
    (rule.minimum !== undefined && value < rule.minimum) ||
    (rule.maximum !== undefined && value > rule.maximum)
  ) {
    throw new LineError(`${field} ${value} is outside ${rule.minimum}..${rule.maximum}`);
  }
  return value;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * occurred_at as epoch milliseconds. Date.parse alone would accept days the
 * batch rejects (2023-02-29, 24:00), so each part is checked.
 */
function epochMillis(value: string): number {
  const match = OCCURRED_AT.exec(value);
  if (match === null)
    throw new LineError(`occurred_at '${value}' is not an ISO-8601 timestamp with an offset or Z`);
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(
    value,
  );
  if (parts === null)
    throw new LineError(`occurred_at '${value}' is not an ISO-8601 timestamp with an offset or Z`);
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  const offsetHours = parts[10] === undefined ? 0 : Number(parts[10]);
  const offsetMinutes = parts[11] === undefined ? 0 : Number(parts[11]);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > monthDays ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 18 ||
    offsetMinutes > 59
  ) {
    throw new LineError(`occurred_at '${value}' is not a real instant`);
  }
  const millis = Number((parts[7] ?? '').padEnd(3, '0').slice(0, 3));
  const sign = parts[9] === '-' ? -1 : 1;
  const offsetMs = sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMs;
}

function maxFutureMinutes(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(
      `contracts/transaction.schema.json: x-maxFutureMinutes of property occurred_at must be a whole number ` +
        `of minutes >= 0 (how far after processing an event time may be); it is ${JSON.stringify(value)}`,
    );
  }
  return value;
}
