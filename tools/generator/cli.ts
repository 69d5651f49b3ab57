/**
 * Command line of the transaction generator:
 *   npx tsx tools/generator/cli.ts --seed 42 --count 100000 --days 30 --out .local/generator/drop --files 4
 * Run with --help for every option. Parsing uses node:util parseArgs; every bad value produces an
 * error naming the option, the valid values and what was given.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MAX_ATMS, MIN_ATMS } from './atm-network';
import { BAD_LINE_KINDS, type BadLineKind } from './bad-lines';
import { BERKA_CASH_CHANNELS, BERKA_TIME_MODES, type BerkaCashChannel, type BerkaTimeMode } from './berka';
import { runGenerator, type GeneratorOptions } from './generate';
import { AMOUNT_FORMATS, type AmountFormat } from './record';
import { parseStartInstant } from './time';

export class UsageError extends Error {}

export const DEFAULTS = {
  seed: '1',
  count: 10_000,
  start: '2024-01-01',
  days: 30,
  atms: 40,
  fraudRatio: 0.003,
  amountFormat: 'number' as AmountFormat,
  berkaTime: 'seeded' as BerkaTimeMode,
  berkaCashChannel: 'atm' as BerkaCashChannel,
};

const MAX_COUNT = 1_000_000_000;
const MAX_DAYS = 3660;
const MAX_ACCOUNTS = 5_000_000;
const MAX_FRAUD_RATIO = 0.2;

export const HELP = `Transaction generator: realistic bank transaction JSON lines (contracts/transaction.schema.json).

Usage:
  npx tsx tools/generator/cli.ts [options]
  npx tsx tools/generator/cli.ts --berka test/fixtures/berka [options]

Volume and period (synthetic mode):
  --seed TEXT              PRNG seed; same seed + options => byte-identical output (default ${DEFAULTS.seed})
  --count N                total lines to write, bad lines and duplicates included; accepts 250k, 10M
                           (default ${DEFAULTS.count}). With --berka: replay at most N trans.asc rows.
  --start DATE             start of the simulated period, 2024-01-01 or 2024-01-01T06:00:00Z (default ${DEFAULTS.start})
  --days N                 length of the simulated period in days (default ${DEFAULTS.days})
  --accounts N             number of accounts (default: about 1.5 transactions per account per day)
  --atms N                 number of ATMs, ${MIN_ATMS}..${MAX_ATMS} (default ${DEFAULTS.atms})
  --fraud-ratio X          share of good lines that are injected fraud, 0..${MAX_FRAUD_RATIO} (default ${DEFAULTS.fraudRatio})

Deliberately bad data:
  --bad-ratio X            share of lines that are deliberately bad, 0 <= X < 1 (default 0)
  --bad-kinds A,B          only these bad kinds (default all): ${BAD_LINE_KINDS.join(', ')}
  --duplicate-ratio X      share of lines that repeat an earlier good line (same transaction_id) (default 0)

Output (several may be combined; stdout when neither --out nor --kafka-brokers is given):
  --out DIR                write .jsonl files into DIR (the SFTP drop); each file is written under a hidden
                           .partial name and renamed when complete
  --files N                split the output into N files (needs --out)
  --lines-per-file N       or: at most N lines per file (needs --out)
  --prefix NAME            file name prefix (default transactions-<start>-s<seed> / berka-transactions-s<seed>)
  --overwrite              replace files of the same name in --out (default: refuse)
  --kafka-brokers H:P,...  produce one Kafka record per line (key = account_id) to these brokers
  --topic NAME             Kafka topic (required with --kafka-brokers; must already exist)
  --rate N                 lines per second, 0 = as fast as possible (default 0)
  --amount-format F        number | string: how amounts are written (default ${DEFAULTS.amountFormat}); in number
                           mode the few values a float-based multipleOf check rejects go out as strings

Truth for tests downstream:
  --summary FILE           JSON run summary: counts, bad lines by kind, duplicates, fraud, per-month totals
  --fraud-out FILE         JSON lines, one per injected fraud incident with its transactions
  --bad-out FILE           JSON lines, one per bad or duplicate line: file, line number, kind, detail
  --customers-out FILE     JSON lines {account_id, birth_date, gender} for the accounts generated

Berka replay:
  --berka DIR              replay DIR/trans.asc (with account, district, disp, client, card) instead of simulating
  --berka-time MODE        seeded | midnight: time of day of each row (default ${DEFAULTS.berkaTime})
  --berka-cash-channel C   atm | branch: channel of plain cash withdrawals (VYBER) (default ${DEFAULTS.berkaCashChannel})
  --berka-rejects FILE     JSON lines {file, line, reason, raw} for rows that could not be mapped

Other:
  --progress               show the progress bar even when stderr is not a terminal
  -h, --help               this help
`;

const PARSE_CONFIG = {
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    rate: { type: 'string' },
    start: { type: 'string' },
    days: { type: 'string' },
    accounts: { type: 'string' },
    atms: { type: 'string' },
    files: { type: 'string' },
    'lines-per-file': { type: 'string' },
    out: { type: 'string' },
    prefix: { type: 'string' },
    overwrite: { type: 'boolean' },
    'bad-ratio': { type: 'string' },
    'bad-kinds': { type: 'string' },
    'duplicate-ratio': { type: 'string' },
    'fraud-ratio': { type: 'string' },
    'kafka-brokers': { type: 'string' },
    topic: { type: 'string' },
    'amount-format': { type: 'string' },
    summary: { type: 'string' },
    'fraud-out': { type: 'string' },
    'bad-out': { type: 'string' },
    'customers-out': { type: 'string' },
    berka: { type: 'string' },
    'berka-time': { type: 'string' },
    'berka-cash-channel': { type: 'string' },
    'berka-rejects': { type: 'string' },
    progress: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
  allowPositionals: false,
} as const;

function wholeNumber(option: string, text: string, min: number, max: number, example: string): number {
  const match = /^(\d[\d_]*)([kKmM]?)$/.exec(text.trim());
  const value = match
    ? Number(match[1].replace(/_/g, '')) * ({ k: 1e3, m: 1e6 }[match[2].toLowerCase()] ?? 1)
    : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `--${option} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} ` +
        `(e.g. ${example}); got "${text}"`,
    );
  }
  return value;
}

function ratio(option: string, text: string, maxExclusive: number, inclusiveMax = false): number {
  const value = /^\d*\.?\d+(e-?\d+)?$/i.test(text.trim()) ? Number(text) : NaN;
  const tooBig = inclusiveMax ? value > maxExclusive : value >= maxExclusive;
  if (!Number.isFinite(value) || value < 0 || tooBig) {
    throw new UsageError(
      `--${option} must be a number from 0 to ${inclusiveMax ? '' : 'below '}${maxExclusive} (a share, e.g. 0.01 = 1%); got "${text}"`,
    );
  }
  return value;
}

function oneOf<T extends string>(option: string, text: string, values: readonly T[]): T {
  if (!values.includes(text as T)) {
    throw new UsageError(`--${option} must be one of ${values.join(', ')}; got "${text}"`);
  }
  return text as T;
}

function brokers(text: string): string[] {
  const list = text
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (list.length === 0)
    throw new UsageError('--kafka-brokers needs at least one host:port, e.g. 127.0.0.1:9092');
  for (const broker of list) {
    const match = /^([A-Za-z0-9._-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new UsageError(`--kafka-brokers: "${broker}" is not host:port (e.g. 127.0.0.1:9092)`);
    }
  }
  return list;
}

export type ParsedCommand = { help: true } | { help: false; options: GeneratorOptions };

export function parseCliOptions(argv: readonly string[]): ParsedCommand {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ ...PARSE_CONFIG, args: [...argv] }).values as Record<
      string,
      string | boolean | undefined
    >;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run with --help for the list of options.`);
  }
  if (values.help) return { help: true };
  const text = (name: string): string | undefined => {
    const value = values[name];
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`--${name} needs a value`);
    return typeof value === 'string' ? value : undefined;
  };

  const berka = text('berka') ?? null;
  if (berka !== null) {
    for (const synthOnly of ['start', 'days', 'accounts', 'fraud-ratio', 'fraud-out']) {
      if (values[synthOnly] !== undefined) {
        throw new UsageError(
          `--${synthOnly} does not apply with --berka (dates, accounts and amounts come from the Berka files)`,
        );
      }
    }
    if (!existsSync(berka) || !statSync(berka).isDirectory()) {
      throw new UsageError(
        `--berka ${berka}: no such folder. Point it at the folder holding trans.asc (e.g. test/fixtures/berka).`,
      );
    }
  } else {
    for (const berkaOnly of ['berka-time', 'berka-cash-channel', 'berka-rejects']) {
      if (values[berkaOnly] !== undefined)
        throw new UsageError(`--${berkaOnly} only applies with --berka DIR`);
    }
  }

  const seed = text('seed') ?? DEFAULTS.seed;
  const countText = text('count');
  const count =
    countText !== undefined
      ? wholeNumber('count', countText, 1, MAX_COUNT, '10000, 250k or 10M')
      : berka
        ? null
        : DEFAULTS.count;
  const rateText = text('rate');
  const rate = rateText === undefined ? 0 : Number(rateText);
  if (
    !Number.isFinite(rate) ||
    rate < 0 ||
    (rateText !== undefined && !/^\d*\.?\d+$/.test(rateText.trim()))
  ) {
    throw new UsageError(
      `--rate must be a number of lines per second, 0 or more (0 = as fast as possible); got "${rateText}"`,
    );
  }
  const startText = text('start') ?? DEFAULTS.start;
  const start = parseStartInstant(startText);
  if (start === null) {
    throw new UsageError(
      `--start must be an ISO date like 2024-01-01 or a date-time like 2024-01-01T06:00:00Z; got "${startText}"`,
    );
  }
  const daysText = text('days');
  const days = daysText === undefined ? DEFAULTS.days : wholeNumber('days', daysText, 1, MAX_DAYS, '30');
  const accountsText = text('accounts');
  const accounts =
    accountsText === undefined ? null : wholeNumber('accounts', accountsText, 1, MAX_ACCOUNTS, '5000');
  const atmsText = text('atms');
  const atms =
    atmsText === undefined ? DEFAULTS.atms : wholeNumber('atms', atmsText, MIN_ATMS, MAX_ATMS, '40');

  const out = text('out') ?? null;
  const filesText = text('files');
  const linesPerFileText = text('lines-per-file');
  if (filesText !== undefined && linesPerFileText !== undefined) {
    throw new UsageError('--files and --lines-per-file are alternatives: give one of them');
  }
  if ((filesText !== undefined || linesPerFileText !== undefined) && out === null) {
    throw new UsageError(
      `--${filesText !== undefined ? 'files' : 'lines-per-file'} splits the output into files and needs --out DIR`,
    );
  }
  const files = filesText === undefined ? null : wholeNumber('files', filesText, 1, 100_000, '4');
  const linesPerFile =
    linesPerFileText === undefined
      ? null
      : wholeNumber('lines-per-file', linesPerFileText, 1, MAX_COUNT, '100000');
  if (values.overwrite && out === null) throw new UsageError('--overwrite only applies with --out DIR');
  const prefix = text('prefix') ?? null;
  if (prefix !== null && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(prefix)) {
    throw new UsageError(
      `--prefix must be a file name part of letters, digits, ".", "_" or "-"; got "${prefix}"`,
    );
  }
  if (prefix !== null && out === null) throw new UsageError('--prefix only applies with --out DIR');

  const badRatioText = text('bad-ratio');
  const badRatio = badRatioText === undefined ? 0 : ratio('bad-ratio', badRatioText, 1);
  const duplicateRatioText = text('duplicate-ratio');
  const duplicateRatio =
    duplicateRatioText === undefined ? 0 : ratio('duplicate-ratio', duplicateRatioText, 1);
  if (badRatio + duplicateRatio >= 1) {
    throw new UsageError(
      `--bad-ratio + --duplicate-ratio must stay below 1 (good lines are needed); got ${badRatio} + ${duplicateRatio}`,
    );
  }
  const badKindsText = text('bad-kinds');
  const badKinds: BadLineKind[] =
    badKindsText === undefined
      ? [...BAD_LINE_KINDS]
      : badKindsText.split(',').map((k) => oneOf('bad-kinds', k.trim(), BAD_LINE_KINDS));
  const fraudRatioText = text('fraud-ratio');
  const fraudRatio =
    fraudRatioText === undefined
      ? DEFAULTS.fraudRatio
      : ratio('fraud-ratio', fraudRatioText, MAX_FRAUD_RATIO, true);

  const brokersText = text('kafka-brokers');
  const topic = text('topic') ?? null;
  if (brokersText !== undefined && topic === null)
    throw new UsageError('--kafka-brokers needs --topic NAME (the topic must already exist)');
  if (topic !== null && brokersText === undefined)
    throw new UsageError('--topic needs --kafka-brokers host:port');
  if (topic !== null && !/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
    throw new UsageError(
      `--topic must be a Kafka topic name (letters, digits, ".", "_", "-", at most 249); got "${topic}"`,
    );
  }

  const options: GeneratorOptions = {
    seed,
    count,
    rate,
    start,
    days,
    files,
    linesPerFile,
    out,
    prefix,
    overwrite: values.overwrite === true,
    badRatio,
    duplicateRatio,
    badKinds,
    fraudRatio,
    kafkaBrokers: brokersText === undefined ? null : brokers(brokersText),
    topic,
    customersOut: text('customers-out') ?? null,
    summary: text('summary') ?? null,
    fraudOut: text('fraud-out') ?? null,
    badOut: text('bad-out') ?? null,
    berka,
    berkaTime: oneOf('berka-time', text('berka-time') ?? DEFAULTS.berkaTime, BERKA_TIME_MODES),
    berkaCashChannel: oneOf(
      'berka-cash-channel',
      text('berka-cash-channel') ?? DEFAULTS.berkaCashChannel,
      BERKA_CASH_CHANNELS,
    ),
    berkaRejects: text('berka-rejects') ?? null,
    accounts,
    atms,
    amountFormat: oneOf('amount-format', text('amount-format') ?? DEFAULTS.amountFormat, AMOUNT_FORMATS),
    progress: values.progress === true,
  };
  return { help: false, options };
}

export async function main(argv: readonly string[]): Promise<number> {
  let command: ParsedCommand;
  try {
    command = parseCliOptions(argv);
  } catch (error) {
    process.stderr.write(`generator: ${(error as Error).message}\n`);
    return 2;
  }
  if (command.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130);
    process.stderr.write(
      '\ngenerator: interrupted, removing the partial file (Ctrl-C again to quit at once)\n',
    );
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // `... | head` closes the pipe early: that is a normal way to stop, not a failure.
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const startedAt = Date.now();
  try {
    const result = await runGenerator(command.options, { signal: abort.signal });
    const seconds = (Date.now() - startedAt) / 1000;
    const s = result.summary as { lines_total: number; good: number; bad: number; duplicates: number };
    process.stderr.write(
      `generator: ${s.lines_total} lines (${s.good} good, ${s.bad} bad, ${s.duplicates} duplicates)` +
        `${result.files.length > 0 ? ` in ${result.files.length} file(s)` : ''} in ${seconds.toFixed(1)}s ` +
        `(${Math.round(s.lines_total / Math.max(seconds, 0.001)).toLocaleString('en-US')} lines/s)\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(
      `generator: ${abort.signal.aborted ? 'interrupted' : `error: ${(error as Error).message}`}\n`,
    );
    return abort.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (typeof require !== 'undefined' && require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`generator: unexpected failure: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
