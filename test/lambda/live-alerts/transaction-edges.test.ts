/**
 * The live parser of a topic line (lambda/live-alerts/fraud-rules/transaction.ts) at its edges: each
 * reason a line is skipped, in full; the calendar and clock bounds of occurred_at, each exactly at
 * the bound and one step past it; offsets with minutes; fractions of a second; the shortest ids.
 * `make mutation` runs these against its mutants (docs/reliability.md).
 */
import { describe, expect, it } from 'vitest';
import { parseTransactionLine, type ParsedLine } from '../../../lambda/live-alerts/fraud-rules';
import { topicLine } from './topic-line';

/** Later than every occurred_at here by more than the future limit, so that limit never decides. */
const NOW = Date.parse('2025-01-01T00:00:00Z');

const parse = (line: string): ParsedLine => parseTransactionLine(line, NOW);

function occurredAt(value: string): number {
  const parsed = parse(topicLine({ occurred_at: value }));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.txn.occurredAt;
}

describe('a line that is no transaction object', () => {
  it.each([
    ['null', 'null'],
    ['a number', '1'],
    ['a string', '"x"'],
    ['a boolean', 'true'],
    ['a list', '[1]'],
  ])('is invalid when it is %s', (_what, text) => {
    expect(parse(text)).toEqual({ ok: false, kind: 'invalid', reason: 'the line is not a JSON object' });
  });

  it('is invalid when it is not JSON', () => {
    expect(parse('{')).toEqual({ ok: false, kind: 'invalid', reason: 'the line is not JSON' });
  });
});

describe('the reason a line is skipped, in full', () => {
  it.each([
    ['a channel of no ATM', { channel: 'pos' }, [], "channel is 'pos', not 'atm'"],
    ['a null card', { card_id: null }, [], 'the transaction has no card_id'],
    ['no card', {}, ['card_id'], 'the transaction has no card_id'],
  ])('does not call %s bad', (_what, values, drop, reason) => {
    expect(parse(topicLine(values, drop))).toEqual({ ok: false, kind: 'not-applicable', reason });
  });

  it.each([
    [
      'an unknown channel',
      { channel: 'kiosk' },
      [],
      "channel 'kiosk' is not one of atm, branch, online, mobile, pos",
    ],
    ['no channel', {}, ['channel'], 'channel must be a string; it is missing'],
    ['a card that is a number', { card_id: 7 }, [], 'card_id must be a string or null; it is 7'],
    [
      'an unknown operation',
      { operation: 'theft' },
      [],
      "operation 'theft' is not one of cash_withdrawal, card_withdrawal, cash_deposit, transfer_in, " +
        'transfer_out, interest, fee, payment',
    ],
    ['a lower-case currency', { currency: 'czk' }, [], "currency 'czk' is not a 3-letter ISO 4217 code"],
    [
      'three decimals',
      { amount: '1.005' },
      [],
      "amount '1.005' is not a positive amount with at most 2 decimals",
    ],
    ['an empty id', { transaction_id: '' }, [], 'transaction_id is shorter than 1 characters'],
    ['a long id', { transaction_id: 'x'.repeat(129) }, [], 'transaction_id is longer than 128 characters'],
    ['a long account', { account_id: 'a'.repeat(65) }, [], 'account_id is longer than 64 characters'],
    ['an account that is a number', { account_id: 5 }, [], 'account_id must be a string; it is 5'],
    ['a latitude past the pole', { latitude: 90.5 }, [], 'latitude 90.5 is outside -90..90'],
    ['a longitude past the date line', { longitude: -180.5 }, [], 'longitude -180.5 is outside -180..180'],
    ['a latitude as text', { latitude: '50.1' }, [], 'latitude must be a number; it is "50.1"'],
    [
      'a time without T',
      { occurred_at: '2024-01-05 10:00:00Z' },
      [],
      "occurred_at '2024-01-05 10:00:00Z' is not an ISO-8601 timestamp with an offset or Z",
    ],
    [
      'a time with ten fraction digits',
      { occurred_at: '2024-01-05T10:00:00.1234567890Z' },
      [],
      "occurred_at '2024-01-05T10:00:00.1234567890Z' is not an ISO-8601 timestamp with an offset or Z",
    ],
    [
      'a day that does not exist',
      { occurred_at: '2023-02-29T10:00:00Z' },
      [],
      "occurred_at '2023-02-29T10:00:00Z' is not a real instant",
    ],
  ])('says why %s is invalid', (_what, values, drop, reason) => {
    expect(parse(topicLine(values, drop))).toEqual({ ok: false, kind: 'invalid', reason });
  });

  it('lets an error that is not about the line through (here, a clock at minus infinity)', () => {
    expect(() => parseTransactionLine(topicLine(), -Infinity)).toThrow(RangeError);
  });
});

describe('occurred_at', () => {
  it.each([
    '2023-01-31T00:00:00Z',
    '2023-02-28T00:00:00Z',
    '2024-01-01T00:00:00Z',
    '2024-03-31T00:00:00Z',
    '2024-06-30T00:00:00Z',
    '2024-12-31T23:59:59Z',
    '2024-01-05T10:59:59Z',
    '2000-02-29T00:00:00Z',
  ])('accepts the last day, hour, minute or second %s', (value) => {
    expect(occurredAt(value)).toBe(Date.parse(value));
  });

  it.each([
    '2024-00-10T10:00:00Z',
    '2024-13-05T10:00:00Z',
    '2024-01-00T10:00:00Z',
    '2024-01-32T10:00:00Z',
    '2024-02-30T10:00:00Z',
    '2023-02-29T10:00:00Z',
    '1900-02-29T10:00:00Z',
    '2024-04-31T10:00:00Z',
    '2024-06-31T10:00:00Z',
    '2024-09-31T10:00:00Z',
    '2024-11-31T10:00:00Z',
    '2024-01-05T24:00:00Z',
    '2024-01-05T10:60:00Z',
    '2024-01-05T10:00:60Z',
    '2024-01-05T10:00:00+05:60',
    '2024-01-05T10:00:00+19:00',
  ])('refuses %s, a day or time that does not exist', (value) => {
    expect(parse(topicLine({ occurred_at: value }))).toEqual({
      ok: false,
      kind: 'invalid',
      reason: `occurred_at '${value}' is not a real instant`,
    });
  });

  it.each([
    ['2024-01-05T15:30:00+05:30', '2024-01-05T10:00:00Z'],
    ['2024-01-05T04:30:00-05:30', '2024-01-05T10:00:00Z'],
    ['2024-01-05T15:59:00+05:59', '2024-01-05T10:00:00Z'],
    ['2024-01-06T04:00:00+18:00', '2024-01-05T10:00:00Z'],
    ['2024-01-04T16:00:00-18:00', '2024-01-05T10:00:00Z'],
  ])('reads the offset of %s, minutes included', (value, utc) => {
    expect(occurredAt(value)).toBe(Date.parse(utc));
  });

  it.each([
    ['1', 100],
    ['12', 120],
    ['123', 123],
    ['1239', 123],
    ['999999999', 999],
  ])('keeps the milliseconds of the fraction .%s, rounding down', (fraction, millis) => {
    expect(occurredAt(`2024-01-05T10:00:00.${fraction}Z`)).toBe(Date.parse('2024-01-05T10:00:00Z') + millis);
  });
});

describe('ids at their shortest', () => {
  it('accepts one character for the transaction, the account and the ATM', () => {
    const parsed = parse(topicLine({ transaction_id: 'x', account_id: 'a', atm_id: '1' }));
    expect(parsed).toMatchObject({ ok: true, txn: { transactionId: 'x', accountId: 'a', atmId: '1' } });
  });
});
