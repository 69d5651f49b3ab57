/**
 * The synthetic stream: contract validity, determinism, realism (balances, failures, ATM network,
 * hours, channels) on a few tens of thousands of generated lines.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { contractEnums, requiredFields } from '../../../tools/generator/contract';
import {
  contractErrors,
  generate,
  pragueClock,
  readJsonLines,
  amountToCents,
  type GeneratedRun,
  type Txn,
} from './helpers';

// Start mid-March so the period has a month end and a daylight-saving switch (2024-03-31).
const BASE_ARGS = ['--seed', '11', '--count', '30000', '--start', '2024-03-15', '--days', '21'];

let run: GeneratedRun;
let txns: Txn[];

beforeAll(async () => {
  run = await generate([...BASE_ARGS, '--files', '3']);
  txns = run.lines.map((l) => JSON.parse(l) as Txn);
});

describe('contract', () => {
  it('writes exactly --count lines, every one valid against the contract', () => {
    expect(run.lines).toHaveLength(30000);
    const invalid = txns.map((t, i) => ({ i, errors: contractErrors(t) })).filter((r) => r.errors.length > 0);
    expect(invalid.slice(0, 3)).toEqual([]);
  });

  it('carries every required field on every line', () => {
    for (const t of txns.slice(0, 2000)) for (const field of requiredFields) expect(t).toHaveProperty(field);
  });

  it('uses every operation, channel and status value of the contract', () => {
    for (const [field, values] of Object.entries(contractEnums)) {
      const seen = new Set(txns.map((t) => t[field]));
      for (const value of values) expect(seen, `${field} ${value}`).toContain(value);
    }
  });

  it('has unique transaction ids and all timestamps in the period, in order', () => {
    expect(new Set(txns.map((t) => t.transaction_id)).size).toBe(txns.length);
    const start = Date.parse('2024-03-15T00:00:00Z');
    const end = start + 21 * 86400_000;
    let previous = -Infinity;
    for (const t of txns) {
      const at = Date.parse(t.occurred_at);
      expect(at).toBeGreaterThanOrEqual(start);
      expect(at).toBeLessThan(end);
      expect(at).toBeGreaterThanOrEqual(previous);
      previous = at;
    }
  });
});

describe('determinism', () => {
  it('same seed and options give byte-identical files; the split does not change the content', async () => {
    const again = await generate([...BASE_ARGS, '--files', '3']);
    expect(again.files.map((f) => f.name)).toEqual(run.files.map((f) => f.name));
    expect(again.files.map((f) => f.text)).toEqual(run.files.map((f) => f.text));
    for (const side of ['summaryPath', 'fraudPath', 'customersPath'] as const) {
      expect(readFileSync(again[side], 'utf8'), side).toBe(readFileSync(run[side], 'utf8'));
    }
    const oneFile = await generate([...BASE_ARGS, '--lines-per-file', '1000000']);
    expect(oneFile.files).toHaveLength(1);
    expect(oneFile.files[0].text).toBe(run.files.map((f) => f.text).join(''));
  });

  it('honours a period that does not start on a whole hour', async () => {
    const odd = await generate('--seed 3 --count 3000 --start 2024-03-15T06:30:15Z --days 1');
    expect(odd.lines).toHaveLength(3000);
    const times = odd.lines.map((l) => Date.parse((JSON.parse(l) as Txn).occurred_at));
    const start = Date.parse('2024-03-15T06:30:15Z');
    expect(Math.min(...times)).toBeGreaterThanOrEqual(start);
    expect(Math.max(...times)).toBeLessThan(start + 86400_000);
  });

  it('another seed gives another stream', async () => {
    const other = await generate('--seed 12 --count 2000 --start 2024-03-15 --days 21');
    expect(other.lines.slice(0, 50)).not.toEqual(run.lines.slice(0, 50));
  });
});

describe('accounts and balances', () => {
  it('tracks balance_after per account: completed lines move it by the amount, others leave it', () => {
    const last = new Map<string, number>();
    let checked = 0;
    for (const t of txns) {
      const balance = amountToCents(t.balance_after);
      const previous = last.get(t.account_id);
      if (previous !== undefined) {
        const amount = amountToCents(t.amount);
        const expected =
          t.status !== 'completed' ? previous : t.type === 'credit' ? previous + amount : previous - amount;
        expect(balance, `${t.transaction_id}`).toBe(expected);
        checked += 1;
      }
      last.set(t.account_id, balance);
    }
    expect(checked).toBeGreaterThan(25000);
  });

  it('lets overdrafts happen and declines payments beyond the overdraft limit', () => {
    expect(txns.filter((t) => amountToCents(t.balance_after) < 0).length).toBeGreaterThan(100);
    const insufficient = txns.filter((t) => t.message_code === '51');
    expect(insufficient.length).toBeGreaterThan(20);
    for (const t of insufficient) {
      expect(t.status).toBe('declined');
      expect(t.type).toBe('debit');
    }
  });

  it('writes customers for every account that appears', () => {
    const customers = readJsonLines<{ account_id: string; birth_date: string; gender: string }>(
      run.customersPath,
    );
    const ids = new Set(customers.map((c) => c.account_id));
    for (const t of txns) expect(ids.has(t.account_id)).toBe(true);
    for (const c of customers) {
      expect(c.birth_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(['F', 'M']).toContain(c.gender);
    }
  });
});

describe('ATM network and failures', () => {
  const atmLines = (): Txn[] => txns.filter((t) => t.channel === 'atm');

  it('has a few dozen ATMs in several cities of two countries, each with one fixed location', () => {
    const byId = new Map<string, string>();
    for (const t of atmLines()) {
      const place = JSON.stringify([t.atm_location, t.city, t.country, t.latitude, t.longitude]);
      expect(byId.get(t.atm_id as string) ?? place).toBe(place);
      byId.set(t.atm_id as string, place);
    }
    expect(byId.size).toBeGreaterThanOrEqual(24);
    expect(byId.size).toBeLessThanOrEqual(60);
    expect(new Set(atmLines().map((t) => t.city)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(atmLines().map((t) => t.country))).toEqual(new Set(['CZ', 'SK']));
  });

  it('declines and fails with message codes and texts for the classic reasons', () => {
    const codes = new Map<string, string>();
    for (const t of txns)
      if (t.status !== 'completed') codes.set(t.message_code as string, t.message_text as string);
    expect(codes.get('51')).toMatch(/insufficient funds/i);
    expect(codes.get('54')).toMatch(/expired/i);
    expect(codes.get('55')).toMatch(/PIN/);
    expect(codes.get('A1')).toMatch(/out of cash/i);
    expect(codes.get('61')).toMatch(/limit/i);
    for (const t of txns) {
      if (t.status !== 'completed') expect(t.message_code, t.transaction_id).toBeTruthy();
      if (t.channel === 'atm' && t.status === 'completed') expect(t.message_code).toBe('00');
    }
  });

  it('has card types on card lines, including classic, gold and junior', () => {
    const types = new Set(txns.filter((t) => t.card_id).map((t) => t.card_type));
    for (const type of ['classic', 'gold', 'junior']) expect(types).toContain(type);
  });

  it('follows the hour pattern: ATMs are busy late afternoon, quiet at night (local time)', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const t of atmLines()) byHour[pragueClock(t.occurred_at).hour] += 1;
    expect(byHour[17]).toBeGreaterThan(5 * byHour[3]);
  });

  it('follows the weekday pattern: more ATM withdrawals on Fridays than on Sundays', () => {
    const byWeekday = new Array<number>(7).fill(0);
    for (const t of atmLines()) byWeekday[pragueClock(t.occurred_at).weekday] += 1;
    // The period holds three Fridays and three Sundays.
    expect(byWeekday[4]).toBeGreaterThan(1.3 * byWeekday[6]);
  });

  it('serves branch customers only within branch opening hours (local time)', () => {
    const branch = txns.filter(
      (t) => t.channel === 'branch' && (t.operation === 'cash_deposit' || t.operation === 'cash_withdrawal'),
    );
    expect(branch.length).toBeGreaterThan(100);
    for (const t of branch) {
      const { hour, weekday } = pragueClock(t.occurred_at);
      expect(weekday, t.occurred_at).toBeLessThanOrEqual(5);
      expect(hour, t.occurred_at).toBeGreaterThanOrEqual(8);
      expect(hour, t.occurred_at).toBeLessThan(18);
    }
  });

  it('books month-end interest and account fees at the end of the month', () => {
    const interest = txns.filter((t) => t.operation === 'interest');
    const fees = txns.filter((t) => t.operation === 'fee');
    expect(interest.length).toBeGreaterThan(50);
    expect(fees.length).toBeGreaterThan(50);
    for (const t of [...interest, ...fees]) expect(t.occurred_at.slice(0, 10)).toBe('2024-03-31');
    // Each account gets at most one interest posting per month end.
    expect(new Set(interest.map((t) => t.account_id)).size).toBe(interest.length);
  });

  it('fills counterparty fields on transfers', () => {
    const transfers = txns.filter((t) => t.operation === 'transfer_in' || t.operation === 'transfer_out');
    expect(transfers.length).toBeGreaterThan(1000);
    for (const t of transfers) {
      expect(t.counterparty_bank).toMatch(/^\d{4}$/);
      expect(t.counterparty_account).toMatch(/^(\d+-)?\d+$/);
    }
  });

  it('uses pos, online and mobile channels for payments', () => {
    const channels = new Set(txns.filter((t) => t.operation === 'payment').map((t) => t.channel));
    for (const c of ['pos', 'online', 'mobile']) expect(channels).toContain(c);
  });
});
