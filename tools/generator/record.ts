/**
 * The in-memory form of one generated transaction and its JSON-lines serialisation.
 *
 * Serialisation is hand-written (one template string per line) because it is the hot path of a
 * 10M-line benchmark; the ATM and card parts are pre-serialised fragments built once per ATM/card.
 * Every line it writes is checked against the contract with ajv in the tests.
 */
import type { Channel, Operation, Status, TxnType } from './contract';

export const AMOUNT_FORMATS = ['number', 'string'] as const;
export type AmountFormat = (typeof AMOUNT_FORMATS)[number];

export interface TxnRecord {
  transactionId: string;
  accountId: string;
  occurredAt: string;
  type: TxnType;
  operation: Operation;
  amountCents: number;
  currency: string;
  balanceAfterCents: number | null;
  channel: Channel;
  status: Status;
  /** ATM id when channel = atm (the full ATM fields are in atmFragment) */
  atmId: string | null;
  /** `,"atm_id":...` or '' */
  atmFragment: string;
  cardType: string | null;
  /** `,"card_id":...,"card_type":...` or '' */
  cardFragment: string;
  messageCode: string | null;
  /** `,"message_code":...,"message_text":...` or '' (must match messageCode) */
  messageFragment: string;
  counterpartyBank: string | null;
  counterpartyAccount: string | null;
  purpose: string | null;
}

/** A record's ATM, card and processor-message parts, empty: attached afterwards where they apply. */
export const NO_ATTACHMENTS = {
  atmId: null,
  atmFragment: '',
  cardType: null,
  cardFragment: '',
  messageCode: null,
  messageFragment: '',
} as const satisfies Partial<TxnRecord>;

/** "1234.50", "-0.07": exact decimal text of an integer amount of cents. */
export function centsToDecimalText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const fraction = abs - whole * 100;
  return `${sign}${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/**
 * JSON number text of an amount of cents built from integers ("1234.5", "-12", "0.07"): avoids
 * double-to-string conversion, the single most expensive step of a line.
 */
function centsToNumberText(cents: number): string {
  const abs = cents < 0 ? -cents : cents;
  const whole = Math.floor(abs / 100);
  const fraction = abs - whole * 100;
  const sign = cents < 0 ? '-' : '';
  if (fraction === 0) return sign + whole;
  if (fraction % 10 === 0) return `${sign}${whole}.${fraction / 10}`;
  return `${sign}${whole}.${fraction < 10 ? '0' : ''}${fraction}`;
}

/**
 * JSON text of a positive amount. As a number unless a validator that checks `multipleOf: 0.01`
 * by float division (ajv's default, python-jsonschema) would wrongly reject it (0.07 / 0.01 is
 * 7.000000000000001): such values go out as a two-decimal string, which the contract also allows.
 */
export function amountJson(cents: number, format: AmountFormat): string {
  if (format === 'number' && Number.isInteger(cents / 100 / 0.01)) return centsToNumberText(cents);
  return `"${centsToDecimalText(cents)}"`;
}

function balanceJson(cents: number | null, format: AmountFormat): string {
  if (cents === null) return 'null';
  return format === 'number' ? centsToNumberText(cents) : `"${centsToDecimalText(cents)}"`;
}

export function messageFragment(code: string, text: string): string {
  return `,"message_code":${JSON.stringify(code)},"message_text":${JSON.stringify(text)}`;
}

export function serializeRecord(record: TxnRecord, format: AmountFormat): string {
  let line =
    `{"transaction_id":"${record.transactionId}","account_id":${JSON.stringify(record.accountId)}` +
    `,"occurred_at":"${record.occurredAt}","type":"${record.type}","operation":"${record.operation}"` +
    `,"amount":${amountJson(record.amountCents, format)},"currency":"${record.currency}"` +
    `,"balance_after":${balanceJson(record.balanceAfterCents, format)}` +
    `,"channel":"${record.channel}","status":"${record.status}"` +
    record.atmFragment +
    record.cardFragment +
    record.messageFragment;
  if (record.counterpartyBank !== null)
    line += `,"counterparty_bank":${JSON.stringify(record.counterpartyBank)}`;
  if (record.counterpartyAccount !== null)
    line += `,"counterparty_account":${JSON.stringify(record.counterpartyAccount)}`;
  if (record.purpose !== null) line += `,"purpose":${JSON.stringify(record.purpose)}`;
  return line + '}';
}
