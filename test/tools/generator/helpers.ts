/** Shared test helpers: the contract validator and a way to run the generator into a temp folder. */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCliOptions } from '../../../tools/generator/cli';
import {
  runGenerator,
  type GeneratorDependencies,
  type GeneratorResult,
} from '../../../tools/generator/generate';
import schema from '../../../contracts/transaction.schema.json';
import { repoPath } from '../../../lib/shared/repo-root';

/** The Berka sample kept in the repository (see its README.md for the subset). */
export const BERKA_DIR = repoPath('test', 'fixtures', 'berka');

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
export const validateTransaction = ajv.compile(schema);

/** Validates one parsed line; returns the ajv errors (empty when valid). */
export function contractErrors(value: unknown): ErrorObject[] {
  return validateTransaction(value) ? [] : [...(validateTransaction.errors ?? [])];
}

/** The value, or a test failure naming what was missing (instead of a non-null assertion). */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`missing: ${what}`);
  return value;
}

/**
 * One generated line, parsed: the contract's required fields (contracts/transaction.schema.json)
 * and the optional ones tests read; any other field stays loosely typed.
 */
export type Txn = Record<string, unknown> & {
  transaction_id: string;
  account_id: string;
  occurred_at: string;
  type: string;
  operation: string;
  amount: number | string;
  currency: string;
  balance_after?: number | string | null;
  channel: string;
  status: string;
  atm_id?: string;
  card_id?: string;
  card_type?: string;
};

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `generator-${label}-`));
}

export interface GeneratedRun {
  dir: string;
  result: GeneratorResult;
  /** file contents in order */
  files: { name: string; text: string }[];
  /** all lines of all files in order */
  lines: string[];
  summaryPath: string;
  fraudPath: string;
  badPath: string;
  customersPath: string;
}

/**
 * Runs the generator with CLI arguments into a fresh temp folder (plus side files). The arguments
 * may be one string as typed on a command line ('--seed 3 --count 3000'): none of them holds a space.
 */
export async function generate(
  commandLine: string | string[],
  deps: GeneratorDependencies = {},
): Promise<GeneratedRun> {
  const args = typeof commandLine === 'string' ? commandLine.trim().split(/\s+/) : commandLine;
  const dir = tempDir('run');
  const out = join(dir, 'drop');
  const summaryPath = join(dir, 'summary.json');
  const fraudPath = join(dir, 'fraud.jsonl');
  const badPath = join(dir, 'bad.jsonl');
  const customersPath = join(dir, 'customers.jsonl');
  const isBerka = args.includes('--berka');
  const command = parseCliOptions([
    ...args,
    '--out',
    out,
    '--summary',
    summaryPath,
    '--bad-out',
    badPath,
    '--customers-out',
    customersPath,
    ...(isBerka ? [] : ['--fraud-out', fraudPath]),
  ]);
  if (command.help) throw new Error('unexpected --help');
  const result = await runGenerator(command.options, deps);
  const names = readdirSync(out).sort();
  const files = names.map((name) => ({ name, text: readFileSync(join(out, name), 'utf8') }));
  const lines = files.flatMap((f) => f.text.split('\n').slice(0, -1));
  return { dir, result, files, lines, summaryPath, fraudPath, badPath, customersPath };
}

export function readJsonLines<T = Record<string, unknown>>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Exact cents of a contract amount (number or numeric string) without float sums. */
export function amountToCents(amount: unknown): number {
  const text = typeof amount === 'number' ? String(amount) : String(amount);
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`not a 2-decimal amount: ${text}`);
  const cents = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}

export function centsText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Local (Europe/Prague) hour and weekday (0 = Monday) of a UTC timestamp, via Intl (independent of the generator's own DST code). */
export function pragueClock(iso: string): { hour: number; weekday: number } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Prague',
    hour: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
  }).formatToParts(new Date(iso));
  const part = (type: string): string =>
    must(
      parts.find((p) => p.type === type),
      `${type} of ${iso}`,
    ).value;
  const hour = Number(part('hour'));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(part('weekday'));
  return { hour, weekday };
}
