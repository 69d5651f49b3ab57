/**
 * Processor message codes written in message_code/message_text. Two-digit codes follow the ISO 8583
 * response codes card processors use; A1..A3 are device codes of the ATM itself.
 */
import { STATUS, type Status } from './contract';
import { messageFragment } from './record';

export interface ProcessorMessage {
  code: string;
  text: string;
  /** status a transaction gets when this message is the outcome */
  status: Status;
  fragment: string;
}

function message(code: string, text: string, status: Status): ProcessorMessage {
  return { code, text, status, fragment: messageFragment(code, text) };
}

export const MESSAGES = {
  approved: message('00', 'Approved', STATUS.completed),
  doNotHonour: message('05', 'Do not honour', STATUS.declined),
  insufficientFunds: message('51', 'Insufficient funds', STATUS.declined),
  expiredCard: message('54', 'Expired card', STATUS.declined),
  wrongPin: message('55', 'Incorrect PIN', STATUS.declined),
  limitExceeded: message('61', 'Exceeds withdrawal amount limit', STATUS.declined),
  pinTriesExceeded: message('75', 'Allowable number of PIN tries exceeded', STATUS.declined),
  issuerUnavailable: message('91', 'Issuer or switch inoperative', STATUS.failed),
  atmOutOfCash: message('A1', 'ATM out of cash', STATUS.failed),
  cashNotDispensed: message('A2', 'Cash not dispensed, transaction reversed', STATUS.reversed),
  depositModuleFault: message('A3', 'Deposit module fault', STATUS.failed),
} as const;

export type MessageKey = keyof typeof MESSAGES;
