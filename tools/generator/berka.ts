/**
 * Berka replay: maps the PKDD'99 Czech bank sample (trans.asc, plus account/district for the home
 * city, disp/card for card fields and client/disp for customers) onto the transaction contract.
 * The mapping is documented in docs/generator.md; keep the two in step.
 *
 * Rows that cannot be mapped are never dropped silently: each one is reported with its line number,
 * the reason and the raw text (BerkaSource.rejections), and counted in the run summary.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAtmNetwork, CITIES, pickAtmInCity, type AtmNetwork } from './atm-network';
import { CHANNEL, OPERATION, STATUS, TYPE, type Channel, type Operation, type TxnType } from './contract';
import { cumulativeWeights, Prng } from './prng';
import { PROFILES, type HourProfile } from './profiles';
import { NO_ATTACHMENTS, type TxnRecord } from './record';
import { formatIsoSeconds, SECONDS_PER_DAY, SECONDS_PER_HOUR } from './time';
import { CURRENCY } from './transactions';

export const BERKA_TIME_MODES = ['seeded', 'midnight'] as const;
export type BerkaTimeMode = (typeof BERKA_TIME_MODES)[number];
export const BERKA_CASH_CHANNELS = ['atm', 'branch'] as const;
export type BerkaCashChannel = (typeof BERKA_CASH_CHANNELS)[number];

export interface BerkaRejection {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

export interface CustomerRow {
  account_id: string;
  birth_date: string;
  gender: 'F' | 'M';
}

// ---------------------------------------------------------------- .asc parsing

/** Splits one `;`-separated .asc line; fields may be "quoted" (quotes removed, "" unescaped). */
export function splitAscLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i += 1;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i += 1;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i += 1; // skip the separator
    } else {
      const next = line.indexOf(';', i);
      const end = next === -1 ? line.length : next;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

interface AscTable {
  file: string;
  header: string[];
  /** data lines with their 1-based line numbers in the file (header is line 1) */
  lines: { line: number; text: string }[];
}

function readAsc(dir: string, name: string, requiredColumns: readonly string[]): AscTable {
  const file = join(dir, name);
  if (!existsSync(file)) {
    throw new Error(
      `--berka ${dir}: ${name} not found. Point --berka at the folder holding the Berka .asc files.`,
    );
  }
  const all = readFileSync(file, 'latin1').split(/\r?\n/);
  const header = splitAscLine(all[0] ?? '');
  const missing = requiredColumns.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new Error(`${file}: header lacks column(s) ${missing.join(', ')} (found: ${header.join(', ')})`);
  }
  const lines: { line: number; text: string }[] = [];
  for (let i = 1; i < all.length; i++) if (all[i].trim() !== '') lines.push({ line: i + 1, text: all[i] });
  return { file: name, header, lines };
}

function columnIndex(table: AscTable): (name: string) => number {
  return (name) => table.header.indexOf(name);
}

// ---------------------------------------------------------------- value decoding

/** YYMMDD (Berka years are 19YY) -> epoch seconds at 00:00 UTC, or null. */
export function berkaDateToEpoch(text: string): number | null {
  const match = /^(\d{2})(\d{2})(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const [year, month, day] = [1900 + Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return ms / 1000;
}

/** "1234.5" / "-12.40" -> integer cents, or null when not a decimal with at most 2 places. */
export function decimalToCents(text: string): number | null {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}

/** Birth number YYMMDD (women: month + 50) -> birth date and gender. */
export function decodeBirthNumber(text: string): { birthDate: string; gender: 'F' | 'M' } | null {
  const match = /^(\d{2})(\d{2})(\d{2})$/.exec(text.trim());
  if (!match) return null;
  let month = Number(match[2]);
  const gender = month > 50 ? 'F' : 'M';
  if (month > 50) month -= 50;
  const birth = berkaDateToEpoch(`${match[1]}${String(month).padStart(2, '0')}${match[3]}`);
  if (birth === null) return null;
  return { birthDate: new Date(birth * 1000).toISOString().slice(0, 10), gender };
}

// ---------------------------------------------------------------- the mapping

/** k_symbol -> purpose. "" and " " mean no k_symbol. */
export const K_SYMBOL_PURPOSE: Readonly<Record<string, string>> = {
  POJISTNE: 'insurance',
  SLUZBY: 'statement_fee',
  UROK: 'interest_credited',
  'SANKC. UROK': 'penalty_interest',
  SIPO: 'household',
  DUCHOD: 'pension',
  UVER: 'loan_payment',
};

type TimeProfileKey = 'atm' | 'branch' | 'transfersIn' | 'transfersOut' | 'interest' | 'fee';

export interface BerkaMapping {
  type: TxnType;
  operation: Operation;
  /** 'cash' = the --berka-cash-channel choice (atm by default) */
  channel: Channel | 'cash';
  purpose: string | null;
  timeProfile: TimeProfileKey;
}

type MappingResult = { ok: true; mapping: BerkaMapping } | { ok: false; reason: string };

/**
 * (type, operation, k_symbol) -> contract fields. Berka type PRIJEM = credit, VYDAJ = debit and
 * VYBER (withdrawal, outside the official codebook) = debit. A k_symbol that names a fee, interest
 * or payment wins over the generic VYBER operation (e.g. VYBER + SLUZBY is a statement fee).
 */
export function mapBerkaKind(berkaType: string, berkaOperation: string, kSymbolRaw: string): MappingResult {
  const kSymbol = kSymbolRaw.trim();
  if (kSymbol !== '' && !(kSymbol in K_SYMBOL_PURPOSE))
    return { ok: false, reason: `unknown k_symbol "${kSymbol}"` };
  const purpose = kSymbol === '' ? null : K_SYMBOL_PURPOSE[kSymbol];
  const operation = berkaOperation.trim();
  const ok = (
    type: TxnType,
    op: Operation,
    channel: BerkaMapping['channel'],
    timeProfile: TimeProfileKey,
    p = purpose,
  ): MappingResult => ({
    ok: true,
    mapping: { type, operation: op, channel, purpose: p, timeProfile },
  });
  if (berkaType === 'PRIJEM') {
    if (operation === 'VKLAD' && kSymbol === '')
      return ok(TYPE.credit, OPERATION.cashDeposit, CHANNEL.branch, 'branch');
    if (operation === 'PREVOD Z UCTU')
      return ok(TYPE.credit, OPERATION.transferIn, CHANNEL.online, 'transfersIn');
    if (operation === '' && kSymbol === 'UROK')
      return ok(TYPE.credit, OPERATION.interest, CHANNEL.branch, 'interest');
    return {
      ok: false,
      reason: `no mapping for credit (PRIJEM) with operation "${operation}" and k_symbol "${kSymbol}"`,
    };
  }
  if (berkaType === 'VYDAJ' || berkaType === 'VYBER') {
    if (operation === 'VYBER KARTOU') return ok(TYPE.debit, OPERATION.cardWithdrawal, CHANNEL.atm, 'atm');
    if (operation === 'PREVOD NA UCET')
      return ok(TYPE.debit, OPERATION.transferOut, CHANNEL.online, 'transfersOut');
    if (operation === 'VYBER' || operation === '') {
      if (kSymbol === '' && operation === 'VYBER')
        return ok(TYPE.debit, OPERATION.cashWithdrawal, 'cash', 'atm');
      if (kSymbol === 'SLUZBY') return ok(TYPE.debit, OPERATION.fee, CHANNEL.branch, 'fee');
      if (kSymbol === 'SANKC. UROK') return ok(TYPE.debit, OPERATION.interest, CHANNEL.branch, 'interest');
      if (kSymbol === 'SIPO' || kSymbol === 'POJISTNE' || kSymbol === 'UVER') {
        return ok(TYPE.debit, OPERATION.payment, CHANNEL.branch, 'branch');
      }
    }
    return {
      ok: false,
      reason: `no mapping for debit (${berkaType}) with operation "${operation}" and k_symbol "${kSymbol}"`,
    };
  }
  return { ok: false, reason: `unknown type "${berkaType}" (expected PRIJEM, VYDAJ or VYBER)` };
}

/** Files the replay reads: transactions, home city (account -> district), cards and customers. */
export const BERKA_FILES = [
  'trans.asc',
  'account.asc',
  'district.asc',
  'disp.asc',
  'client.asc',
  'card.asc',
] as const;

const TRANS_COLUMNS = [
  'trans_id',
  'account_id',
  'date',
  'type',
  'operation',
  'amount',
  'balance',
  'k_symbol',
  'bank',
  'account',
] as const;

interface MappedRow {
  transId: string;
  accountId: string;
  day: number;
  amountCents: number;
  balanceCents: number;
  counterpartyBank: string | null;
  counterpartyAccount: string | null;
  mapping: BerkaMapping;
}

type RowResult = { ok: true; row: MappedRow } | { ok: false; reason: string };

function mapTransLine(fields: string[], col: (name: string) => number): RowResult {
  if (fields.length !== TRANS_COLUMNS.length) {
    return { ok: false, reason: `expected ${TRANS_COLUMNS.length} fields, found ${fields.length}` };
  }
  const get = (name: (typeof TRANS_COLUMNS)[number]): string => fields[col(name)] ?? '';
  const transId = get('trans_id').trim();
  if (!/^\d+$/.test(transId)) return { ok: false, reason: `trans_id "${transId}" is not a number` };
  const accountId = get('account_id').trim();
  if (!/^\d+$/.test(accountId)) return { ok: false, reason: `account_id "${accountId}" is not a number` };
  const day = berkaDateToEpoch(get('date'));
  if (day === null) return { ok: false, reason: `date "${get('date')}" is not a valid YYMMDD date` };
  const amountCents = decimalToCents(get('amount'));
  if (amountCents === null)
    return { ok: false, reason: `amount "${get('amount')}" is not a decimal with at most 2 places` };
  if (amountCents <= 0) return { ok: false, reason: `amount "${get('amount')}" is not positive` };
  const balanceCents = decimalToCents(get('balance'));
  if (balanceCents === null)
    return { ok: false, reason: `balance "${get('balance')}" is not a decimal with at most 2 places` };
  const kind = mapBerkaKind(get('type').trim(), get('operation'), get('k_symbol'));
  if (!kind.ok) return kind;
  const bank = get('bank').trim();
  const account = get('account').trim();
  return {
    ok: true,
    row: {
      transId,
      accountId,
      day,
      amountCents,
      balanceCents,
      counterpartyBank: bank === '' ? null : bank,
      // "0" with no bank is Berka's "no counterparty" (e.g. on card withdrawals).
      counterpartyAccount: account === '' || account === '0' ? null : account,
      mapping: kind.mapping,
    },
  };
}

// ---------------------------------------------------------------- the source

export interface BerkaOptions {
  dir: string;
  seed: string;
  timeMode: BerkaTimeMode;
  cashChannel: BerkaCashChannel;
  atms: number;
  /** replay at most this many trans.asc data rows (all when undefined) */
  maxRows?: number;
}

interface BerkaCard {
  id: string;
  type: string;
  issuedDay: number;
  owner: boolean;
  fragment: string;
}

const TIME_PROFILES: Record<Exclude<TimeProfileKey, 'interest' | 'fee'>, HourProfile> = {
  atm: PROFILES.atm,
  branch: PROFILES.branch,
  transfersIn: PROFILES.transfersIn,
  transfersOut: PROFILES.transfersOut,
};
const CITY_CUMULATIVE = cumulativeWeights(CITIES.map((c) => c.weight));
const FIXED_HOUR: Record<'interest' | 'fee', number> = { interest: 23, fee: 22 };

export class BerkaSource {
  readonly network: AtmNetwork;
  readonly goodCount: number;
  readonly rowsRead: number;
  readonly rejections: BerkaRejection[] = [];

  private readonly trans: AscTable;
  private readonly transCol: (name: string) => number;
  private readonly root: Prng;
  private readonly accountCity = new Map<string, number>();
  private readonly cardsByAccount = new Map<string, BerkaCard[]>();
  private readonly ownerClientByAccount = new Map<string, string>();
  private readonly clientBirth = new Map<string, string>();
  private readonly hourCumulative = new Map<string, Float64Array>();
  private readonly replayedAccounts = new Set<string>();

  constructor(private readonly options: BerkaOptions) {
    this.root = new Prng(`bank-generator-berka:${options.seed}`);
    this.network = buildAtmNetwork(this.root.fork('atm-network'), options.atms);
    const missing = BERKA_FILES.filter((name) => !existsSync(join(options.dir, name)));
    if (missing.length > 0) {
      throw new Error(
        `--berka ${options.dir}: ${missing.join(', ')} not found. Point --berka at the folder holding the Berka .asc files ` +
          `(${BERKA_FILES.join(', ')}).`,
      );
    }
    this.trans = readAsc(options.dir, 'trans.asc', TRANS_COLUMNS);
    if (options.maxRows !== undefined) this.trans.lines = this.trans.lines.slice(0, options.maxRows);
    this.transCol = columnIndex(this.trans);
    this.loadAccountsAndDistricts();
    this.loadDispositionsAndCards();

    // Pass 1: classify every row, so the number of good lines is known before writing starts.
    let mapped = 0;
    for (const { line, text } of this.trans.lines) {
      const result = mapTransLine(splitAscLine(text), this.transCol);
      if (result.ok) {
        mapped += 1;
        this.replayedAccounts.add(result.row.accountId);
      } else this.rejections.push({ file: this.trans.file, line, reason: result.reason, raw: text });
    }
    this.rowsRead = this.trans.lines.length;
    this.goodCount = mapped;
  }

  private loadAccountsAndDistricts(): void {
    const districts = readAsc(this.options.dir, 'district.asc', ['A1', 'A3']);
    const dCol = columnIndex(districts);
    const regionByDistrict = new Map<string, string>();
    for (const { text } of districts.lines) {
      const f = splitAscLine(text);
      regionByDistrict.set(f[dCol('A1')].trim(), f[dCol('A3')].trim());
    }
    const cityByRegion = new Map<string, number>();
    CITIES.forEach((city, index) => city.berkaRegions.forEach((region) => cityByRegion.set(region, index)));
    const accounts = readAsc(this.options.dir, 'account.asc', ['account_id', 'district_id']);
    const aCol = columnIndex(accounts);
    for (const { text } of accounts.lines) {
      const f = splitAscLine(text);
      const region = regionByDistrict.get(f[aCol('district_id')].trim());
      const city = region === undefined ? undefined : cityByRegion.get(region);
      if (city !== undefined) this.accountCity.set(f[aCol('account_id')].trim(), city);
    }
  }

  private loadDispositionsAndCards(): void {
    const disp = readAsc(this.options.dir, 'disp.asc', ['disp_id', 'client_id', 'account_id', 'type']);
    const dCol = columnIndex(disp);
    const dispById = new Map<string, { account: string; owner: boolean }>();
    for (const { text } of disp.lines) {
      const f = splitAscLine(text);
      const account = f[dCol('account_id')].trim();
      const owner = f[dCol('type')].trim() === 'OWNER';
      dispById.set(f[dCol('disp_id')].trim(), { account, owner });
      if (owner) this.ownerClientByAccount.set(account, f[dCol('client_id')].trim());
    }
    const clients = readAsc(this.options.dir, 'client.asc', ['client_id', 'birth_number']);
    const cCol = columnIndex(clients);
    for (const { text } of clients.lines) {
      const f = splitAscLine(text);
      this.clientBirth.set(f[cCol('client_id')].trim(), f[cCol('birth_number')].trim());
    }
    const cards = readAsc(this.options.dir, 'card.asc', ['card_id', 'disp_id', 'type', 'issued']);
    const kCol = columnIndex(cards);
    for (const { text } of cards.lines) {
      const f = splitAscLine(text);
      const owner = dispById.get(f[kCol('disp_id')].trim());
      const issuedDay = berkaDateToEpoch((f[kCol('issued')] ?? '').trim().slice(0, 6));
      if (!owner || issuedDay === null) continue;
      const id = f[kCol('card_id')].trim();
      const type = f[kCol('type')].trim();
      const list = this.cardsByAccount.get(owner.account) ?? [];
      list.push({
        id,
        type,
        issuedDay,
        owner: owner.owner,
        fragment: `,"card_id":${JSON.stringify(id)},"card_type":${JSON.stringify(type)}`,
      });
      this.cardsByAccount.set(owner.account, list);
    }
    // Owners' cards first, then the oldest: the card a withdrawal is attributed to.
    for (const list of this.cardsByAccount.values()) {
      list.sort((a, b) => Number(b.owner) - Number(a.owner) || a.issuedDay - b.issuedDay);
    }
  }

  /** Customers (account owners) of the accounts that have at least one replayed row. */
  customers(): { rows: CustomerRow[]; withoutOwner: string[]; badBirthNumber: string[] } {
    const rows: CustomerRow[] = [];
    const withoutOwner: string[] = [];
    const badBirthNumber: string[] = [];
    const accounts = [...this.replayedAccounts].sort((a, b) => Number(a) - Number(b));
    for (const account of accounts) {
      const client = this.ownerClientByAccount.get(account);
      const birthNumber = client === undefined ? undefined : this.clientBirth.get(client);
      if (birthNumber === undefined) {
        withoutOwner.push(account);
        continue;
      }
      const decoded = decodeBirthNumber(birthNumber);
      if (!decoded) badBirthNumber.push(account);
      else rows.push({ account_id: account, birth_date: decoded.birthDate, gender: decoded.gender });
    }
    return { rows, withoutOwner, badBirthNumber };
  }

  /** Mapped rows in order; with seeded times, each day's rows are reordered by their drawn time. */
  *records(): Generator<TxnRecord> {
    const timePrng = this.root.fork('time-of-day');
    const atmPrng = this.root.fork('atm-choice');
    let group: MappedRow[] = [];
    let groupDay = Number.NaN;
    const flush = (): TxnRecord[] => {
      const out = this.timeGroup(group, timePrng, atmPrng);
      group = [];
      return out;
    };
    for (const { text } of this.trans.lines) {
      const result = mapTransLine(splitAscLine(text), this.transCol);
      if (!result.ok) continue;
      if (result.row.day !== groupDay && group.length > 0) yield* flush();
      groupDay = result.row.day;
      group.push(result.row);
    }
    if (group.length > 0) yield* flush();
  }

  private timeGroup(rows: MappedRow[], timePrng: Prng, atmPrng: Prng): TxnRecord[] {
    const day = rows[0].day;
    const offsets = rows.map((row) =>
      this.options.timeMode === 'midnight' ? 0 : this.drawOffset(row, day, timePrng),
    );
    if (this.options.timeMode === 'seeded') {
      // Keep each account's rows in file order (its balance chain) by handing out its sorted times in order.
      const byAccount = new Map<string, number[]>();
      rows.forEach((row, i) => {
        const list = byAccount.get(row.accountId) ?? [];
        list.push(i);
        byAccount.set(row.accountId, list);
      });
      for (const indexes of byAccount.values()) {
        if (indexes.length < 2) continue;
        const sorted = indexes.map((i) => offsets[i]).sort((a, b) => a - b);
        indexes.forEach((i, k) => (offsets[i] = sorted[k]));
      }
    }
    const order = rows.map((_, i) => i);
    order.sort((a, b) => offsets[a] - offsets[b] || a - b);
    return order.map((i) => this.toRecord(rows[i], day + offsets[i], atmPrng));
  }

  private drawOffset(row: MappedRow, day: number, prng: Prng): number {
    const profile = row.mapping.timeProfile;
    const minuteAndSecond = prng.int(SECONDS_PER_HOUR);
    if (profile === 'interest' || profile === 'fee')
      return FIXED_HOUR[profile] * SECONDS_PER_HOUR + minuteAndSecond;
    // Times are drawn as UTC wall-clock hours so that the UTC date stays Berka's date.
    const weekday = (Math.floor(day / SECONDS_PER_DAY) + 3) % 7;
    const key = `${profile}:${weekday}`;
    let cumulative = this.hourCumulative.get(key);
    if (!cumulative) {
      const profileData = TIME_PROFILES[profile];
      let weights = Array.from({ length: 24 }, (_, h) => profileData[weekday * 24 + h]);
      // Berka books branch business on Sundays too (e.g. month ends): use weekday office hours then.
      if (weights.every((w) => w === 0)) weights = Array.from({ length: 24 }, (_, h) => profileData[h]);
      cumulative = cumulativeWeights(weights);
      this.hourCumulative.set(key, cumulative);
    }
    return prng.weightedIndex(cumulative) * SECONDS_PER_HOUR + minuteAndSecond;
  }

  private toRecord(row: MappedRow, time: number, atmPrng: Prng): TxnRecord {
    const channel: Channel =
      row.mapping.channel === 'cash'
        ? this.options.cashChannel === 'atm'
          ? CHANNEL.atm
          : CHANNEL.branch
        : row.mapping.channel;
    const record: TxnRecord = {
      transactionId: row.transId,
      accountId: row.accountId,
      occurredAt: formatIsoSeconds(time),
      type: row.mapping.type,
      operation: row.mapping.operation,
      amountCents: row.amountCents,
      currency: CURRENCY,
      balanceAfterCents: row.balanceCents,
      channel,
      status: STATUS.completed,
      ...NO_ATTACHMENTS,
      counterpartyBank: row.counterpartyBank,
      counterpartyAccount: row.counterpartyAccount,
      purpose: row.mapping.purpose,
    };
    if (channel === CHANNEL.atm) {
      // Accounts missing from account.asc (or in an unmapped district) get a seeded city by size.
      const cityIndex = this.accountCity.get(row.accountId) ?? atmPrng.weightedIndex(CITY_CUMULATIVE);
      const hour = Math.floor((time % SECONDS_PER_DAY) / SECONDS_PER_HOUR);
      const atm = pickAtmInCity(this.network, atmPrng, cityIndex, hour);
      record.atmId = atm.id;
      record.atmFragment = atm.jsonFragment;
      const card = this.cardsByAccount.get(row.accountId)?.find((c) => c.issuedDay <= row.day);
      if (card) {
        record.cardType = card.type;
        record.cardFragment = card.fragment;
      }
    }
    return record;
  }
}
