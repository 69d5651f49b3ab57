/**
 * Berka replay: the documented mapping on real lines of trans.asc, the whole sample (row count
 * preserved, every line valid, amounts/balances/dates/order kept), customers from client + disp
 * owners, and rows that cannot be mapped being reported rather than dropped. The sample is the
 * subset in test/fixtures/berka (its README.md says which rows).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBirthNumber, mapBerkaKind, splitAscLine } from '../../../tools/generator/berka';
import {
  amountToCents,
  BERKA_DIR,
  centsText,
  contractErrors,
  generate,
  must,
  readJsonLines,
  tempDir,
  type GeneratedRun,
  type Txn,
} from './helpers';

interface RawRow {
  transId: string;
  accountId: string;
  date: string;
  cents: number;
  balanceCents: number;
}

/** Independent, minimal reading of trans.asc for cross-checks. */
function readRawTrans(): RawRow[] {
  return readFileSync(join(BERKA_DIR, 'trans.asc'), 'latin1')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.split(';').map((x) => x.replace(/^"|"$/g, ''));
      return {
        transId: f[0],
        accountId: f[1],
        date: f[2],
        cents: amountToCents(f[5]),
        balanceCents: amountToCents(f[6]),
      };
    });
}

function isoDateOf(yymmdd: string): string {
  return `19${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
}

/** Data rows of test/fixtures/berka/trans.asc. */
const BERKA_FIXTURE_ROWS = 338;

let run: GeneratedRun;
let raw: RawRow[];
let byId: Map<string, Txn>;

beforeAll(async () => {
  run = await generate(['--berka', BERKA_DIR, '--seed', '3']);
  raw = readRawTrans();
  byId = new Map(run.lines.map((l) => JSON.parse(l) as Txn).map((t) => [t.transaction_id, t]));
});

describe('Berka mapping on real lines', () => {
  const cases: [string, Record<string, unknown>][] = [
    // 695247;2378;930101;"PRIJEM";"VKLAD";700.00;700.00;"";;
    [
      '695247',
      {
        account_id: '2378',
        type: 'credit',
        operation: 'cash_deposit',
        channel: 'branch',
        amount: 700,
        balance_after: 700,
        status: 'completed',
        currency: 'CZK',
      },
    ],
    // 637742;2177;930105;"PRIJEM";"PREVOD Z UCTU";5123.00;5923.00;"DUCHOD";"YZ";"62457513"
    [
      '637742',
      {
        type: 'credit',
        operation: 'transfer_in',
        channel: 'online',
        purpose: 'pension',
        counterparty_bank: 'YZ',
        counterparty_account: '62457513',
      },
    ],
    // 2349940;7753;940103;"VYDAJ";"VYBER KARTOU";3600.00;61068.10;"";"";"0"  (card 1005 classic, issued 931107)
    [
      '2349940',
      {
        type: 'debit',
        operation: 'card_withdrawal',
        channel: 'atm',
        amount: 3600,
        balance_after: 61068.1,
        card_id: '1005',
        card_type: 'classic',
      },
    ],
    // 144918;485;930326;"VYBER";"VYBER";5166.00;88602.90;"";;
    ['144918', { type: 'debit', operation: 'cash_withdrawal', channel: 'atm' }],
    // 3479816;9307;930131;"PRIJEM";"";0.80;6182.80;"UROK";;
    [
      '3479816',
      { type: 'credit', operation: 'interest', channel: 'branch', purpose: 'interest_credited', amount: 0.8 },
    ],
    // 695490;2378;930228;"VYDAJ";"VYBER";14.60;71437.80;"SLUZBY";;
    [
      '695490',
      { type: 'debit', operation: 'fee', channel: 'branch', purpose: 'statement_fee', amount: 14.6 },
    ],
    // 3452675;5740;930630;"VYDAJ";"VYBER";2.50;6770.10;"SANKC. UROK";;
    ['3452675', { type: 'debit', operation: 'interest', purpose: 'penalty_interest' }],
    // 989796;3374;930510;"VYDAJ";"VYBER";4700.00;85244.10;"SIPO";"";"0"
    ['989796', { type: 'debit', operation: 'payment', channel: 'branch', purpose: 'household' }],
    // 144848;485;930307;"VYDAJ";"PREVOD NA UCET";3572.00;46380.90;"POJISTNE";"AB";"20747721"
    [
      '144848',
      {
        type: 'debit',
        operation: 'transfer_out',
        channel: 'online',
        purpose: 'insurance',
        counterparty_bank: 'AB',
        counterparty_account: '20747721',
      },
    ],
    // 144776;485;930306;"VYDAJ";"PREVOD NA UCET";1591.00;49952.90;" ";"WX";"56978738"
    ['144776', { operation: 'transfer_out', counterparty_bank: 'WX' }],
  ];
  for (const [id, expected] of cases) {
    it(`trans_id ${id}`, () => {
      const txn = must(byId.get(id), id);
      expect(txn).toBeDefined();
      expect(txn).toMatchObject(expected);
      expect(contractErrors(txn)).toEqual([]);
    });
  }

  it('has no counterparty on rows whose bank/account are empty or "0"', () => {
    expect(byId.get('695247')).not.toHaveProperty('counterparty_bank');
    expect(byId.get('2349940')).not.toHaveProperty('counterparty_account');
    expect(byId.get('144776')).not.toHaveProperty('purpose'); // k_symbol " " = none
  });

  it('puts ATM fields on cash and card withdrawals, interest at 23:xx and fees at 22:xx UTC', () => {
    expect(byId.get('144918')).toHaveProperty('atm_id');
    expect(byId.get('144918')).toHaveProperty('latitude');
    expect(must(byId.get('3479816'), '3479816').occurred_at).toMatch(/^1993-01-31T23:/);
    expect(must(byId.get('695490'), '695490').occurred_at).toMatch(/^1993-02-28T22:/);
  });

  it('maps every (type, operation, k_symbol) combination of the documented table', () => {
    const table: [string, string, string, string | null][] = [
      ['PRIJEM', 'VKLAD', '', 'cash_deposit'],
      ['PRIJEM', 'PREVOD Z UCTU', '', 'transfer_in'],
      ['PRIJEM', 'PREVOD Z UCTU', 'DUCHOD', 'transfer_in'],
      ['PRIJEM', '', 'UROK', 'interest'],
      ['VYDAJ', 'VYBER KARTOU', '', 'card_withdrawal'],
      ['VYDAJ', 'VYBER', '', 'cash_withdrawal'],
      ['VYDAJ', 'VYBER', ' ', 'cash_withdrawal'],
      ['VYBER', 'VYBER', '', 'cash_withdrawal'],
      ['VYDAJ', 'VYBER', 'SLUZBY', 'fee'],
      ['VYDAJ', 'VYBER', 'SANKC. UROK', 'interest'],
      ['VYDAJ', 'VYBER', 'SIPO', 'payment'],
      ['VYDAJ', 'PREVOD NA UCET', 'UVER', 'transfer_out'],
      ['PRIJEM', 'VYBER', '', null],
      ['VYDAJ', 'VKLAD', '', null],
      ['VYDAJ', 'PREVOD Z UCTU', '', null],
      ['PRIJEM', '', '', null],
      ['VYDAJ', 'VYBER', 'XYZ', null],
      ['CREDIT', 'VKLAD', '', null],
    ];
    for (const [type, operation, kSymbol, expected] of table) {
      const result = mapBerkaKind(type, operation, kSymbol);
      expect(result.ok ? result.mapping.operation : null, `${type}/${operation}/${kSymbol}`).toBe(expected);
      if (!result.ok) expect(result.reason).toMatch(/type|operation|k_symbol/);
    }
  });

  it('decodes birth numbers (women: month + 50)', () => {
    expect(decodeBirthNumber('706213')).toEqual({ birthDate: '1970-12-13', gender: 'F' });
    expect(decodeBirthNumber('450204')).toEqual({ birthDate: '1945-02-04', gender: 'M' });
    expect(decodeBirthNumber('406009')).toEqual({ birthDate: '1940-10-09', gender: 'F' });
    expect(decodeBirthNumber('451340')).toBeNull();
  });

  it('splits .asc lines with quoted and empty fields', () => {
    expect(splitAscLine('1;"a;b";;"x""y";2')).toEqual(['1', 'a;b', '', 'x"y', '2']);
    expect(splitAscLine('695247;2378;930101;"PRIJEM";"VKLAD";700.00;700.00;"";;')).toHaveLength(10);
  });
});

describe('Berka replay of the whole sample', () => {
  it('preserves the row count: every trans.asc row becomes exactly one line', () => {
    expect(raw).toHaveLength(BERKA_FIXTURE_ROWS);
    expect(run.lines).toHaveLength(raw.length);
    expect(new Set(byId.keys())).toEqual(new Set(raw.map((r) => r.transId)));
    const summary = JSON.parse(readFileSync(run.summaryPath, 'utf8'));
    expect(summary.berka).toMatchObject({
      rows_read: BERKA_FIXTURE_ROWS,
      mapped: BERKA_FIXTURE_ROWS,
      rejected: 0,
    });
  });

  it('writes only contract-valid lines', () => {
    const invalid = [...byId.values()].filter((t) => contractErrors(t).length > 0);
    expect(invalid.slice(0, 3)).toEqual([]);
  });

  it('keeps amount, balance and date of every row; currency CZK, status completed', () => {
    const fromSource = raw.map((row) => [
      row.transId,
      row.accountId,
      row.cents,
      row.balanceCents,
      isoDateOf(row.date),
      'CZK',
      'completed',
    ]);
    const written = raw.map((row) => {
      const txn = must(byId.get(row.transId), row.transId);
      return [
        txn.transaction_id,
        txn.account_id,
        amountToCents(txn.amount),
        amountToCents(txn.balance_after),
        txn.occurred_at.slice(0, 10),
        txn.currency,
        txn.status,
      ];
    });
    expect(written).toEqual(fromSource);
  });

  it("keeps each account's rows in file order (its balance chain)", () => {
    const expected = new Map<string, string[]>();
    for (const row of raw) expected.set(row.accountId, [...(expected.get(row.accountId) ?? []), row.transId]);
    const actual = new Map<string, string[]>();
    for (const line of run.lines) {
      const t = JSON.parse(line) as Txn;
      actual.set(t.account_id, [...(actual.get(t.account_id) ?? []), t.transaction_id]);
    }
    expect(actual).toEqual(expected);
  });

  it('writes timestamps in non-decreasing order', () => {
    const times = run.lines.map((l) => (JSON.parse(l) as Txn).occurred_at);
    expect(times.every((t, i) => i === 0 || times[i - 1] <= t)).toBe(true);
  });

  it('gives monthly sums equal to the raw file', () => {
    const summary = JSON.parse(readFileSync(run.summaryPath, 'utf8'));
    const months = new Map<string, { count: number; cents: number }>();
    for (const row of raw) {
      const key = isoDateOf(row.date).slice(0, 7);
      const m = months.get(key) ?? { count: 0, cents: 0 };
      m.count += 1;
      m.cents += row.cents;
      months.set(key, m);
    }
    expect(
      summary.monthly.map(
        (m: { year: number; month: number; completed_count: number; completed_amount: string }) => [
          m.year,
          m.month,
          m.completed_count,
          m.completed_amount,
        ],
      ),
    ).toEqual(
      [...months.entries()]
        .sort()
        .map(([k, m]) => [Number(k.slice(0, 4)), Number(k.slice(5)), m.count, centsText(m.cents)]),
    );
  });

  it('writes customers for the replayed accounts from their OWNER disposition only', () => {
    const customers = readJsonLines<{ account_id: string; birth_date: string; gender: string }>(
      run.customersPath,
    );
    const accounts = new Set(raw.map((r) => r.accountId));
    expect(customers).toHaveLength(accounts.size);
    expect(new Set(customers.map((c) => c.account_id))).toEqual(accounts);
    // Independent check of one OWNER: disp 1;1;1;"OWNER", client 1 birth_number 706213 (if account 1 is replayed).
    const disp = readFileSync(join(BERKA_DIR, 'disp.asc'), 'latin1')
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(';'));
    const clients = new Map(
      readFileSync(join(BERKA_DIR, 'client.asc'), 'latin1')
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(';'))
        .map((f) => [f[0], (f[1] ?? '').replace(/"/g, '')]),
    );
    const ownerOf = new Map(disp.filter((f) => f[3]?.includes('OWNER')).map((f) => [f[2], f[1]]));
    for (const c of customers.slice(0, 200)) {
      const birth = must(clients.get(must(ownerOf.get(c.account_id), c.account_id)), c.account_id);
      const month = Number(birth.slice(2, 4));
      expect(c.gender).toBe(month > 50 ? 'F' : 'M');
      expect(c.birth_date).toBe(
        `19${birth.slice(0, 2)}-${String(month > 50 ? month - 50 : month).padStart(2, '0')}-${birth.slice(4, 6)}`,
      );
    }
  });

  it('is deterministic, and --berka-time midnight writes 00:00:00Z in file order', async () => {
    const again = await generate(['--berka', BERKA_DIR, '--seed', '3', '--count', '200']);
    expect(again.lines.length).toBe(200);
    const twice = await generate(['--berka', BERKA_DIR, '--seed', '3', '--count', '200']);
    expect(twice.lines).toEqual(again.lines);
    const midnight = await generate(['--berka', BERKA_DIR, '--count', '200', '--berka-time', 'midnight']);
    const ids = midnight.lines.map((l) => JSON.parse(l) as Txn);
    expect(ids.every((t) => t.occurred_at.endsWith('T00:00:00Z'))).toBe(true);
    expect(ids.map((t) => t.transaction_id)).toEqual(raw.slice(0, 200).map((r) => r.transId));
  });

  it('--berka-cash-channel branch books plain cash withdrawals at the branch without ATM fields', async () => {
    const branch = await generate(['--berka', BERKA_DIR, '--berka-cash-channel', 'branch']);
    const withdrawals = branch.lines
      .map((l) => JSON.parse(l) as Txn)
      .filter((t) => t.operation === 'cash_withdrawal');
    expect(withdrawals.length).toBeGreaterThan(50);
    for (const t of withdrawals) {
      expect(t.channel).toBe('branch');
      expect(t).not.toHaveProperty('atm_id');
    }
  });
});

describe('Berka rows that cannot be mapped', () => {
  it('are reported with line number and reason, never silently dropped', async () => {
    const dir = tempDir('berka-bad');
    for (const name of ['account.asc', 'district.asc', 'disp.asc', 'client.asc', 'card.asc'])
      copyFileSync(join(BERKA_DIR, name), join(dir, name));
    const original = readFileSync(join(BERKA_DIR, 'trans.asc'), 'latin1').split('\r\n');
    const broken = [
      '900001;2378;931345;"PRIJEM";"VKLAD";700.00;700.00;"";;', // impossible date
      '900002;2378;930301;"PRIJEM";"VKLAD";12.345;700.00;"";;', // 3 decimals
      '900003;2378;930301;"PRIJEM";"VKLAD";0.00;700.00;"";;', // zero amount
      '900004;2378;930301;"VYDAJ";"VYBER";10.00;700.00;"XYZ";;', // unknown k_symbol
      '900005;2378;930301;"PRIJEM";"VYBER";10.00;700.00;"";;', // credit with a withdrawal operation
      '900006;2378;930301;"PRIJEM";"VKLAD"', // too few fields
    ];
    const lines = [original[0], ...original.slice(1, 21), ...broken, ...original.slice(21, 41)];
    writeFileSync(join(dir, 'trans.asc'), lines.join('\r\n') + '\r\n', 'latin1');
    const rejectsPath = join(dir, 'rejects.jsonl');
    const stderrChunks: string[] = [];
    const stderr = {
      write: (s: string) => stderrChunks.push(s),
      isTTY: false,
    } as unknown as NodeJS.WriteStream;
    const result = await generate(['--berka', dir, '--berka-rejects', rejectsPath], { stderr });
    expect(result.lines).toHaveLength(40);
    const rejects = readJsonLines<{ file: string; line: number; reason: string; raw: string }>(rejectsPath);
    expect(rejects.map((r) => r.line)).toEqual([22, 23, 24, 25, 26, 27]);
    expect(rejects.map((r) => r.raw)).toEqual(broken);
    expect(rejects[0].reason).toMatch(/date/);
    expect(rejects[1].reason).toMatch(/amount/);
    expect(rejects[2].reason).toMatch(/not positive/);
    expect(rejects[3].reason).toMatch(/k_symbol "XYZ"/);
    expect(rejects[4].reason).toMatch(/no mapping/);
    expect(rejects[5].reason).toMatch(/fields/);
    const summary = JSON.parse(readFileSync(result.summaryPath, 'utf8'));
    expect(summary.berka).toMatchObject({ rows_read: 46, mapped: 40, rejected: 6 });
    expect(stderrChunks.join('')).toMatch(/6 of 46 Berka rows could not be mapped/);
  });

  it('fails clearly when a Berka file is missing', async () => {
    const dir = tempDir('berka-missing');
    copyFileSync(join(BERKA_DIR, 'trans.asc'), join(dir, 'trans.asc'));
    await expect(generate(['--berka', dir])).rejects.toThrow(
      /account\.asc, district\.asc, disp\.asc, client\.asc, card\.asc not found/,
    );
  });
});
