/**
 * Option parsing (every bad option names itself and the valid values), the real command line end
 * to end, atomic files in the drop folder, rate limiting and the progress bar.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCliOptions, UsageError } from '../../../tools/generator/cli';
import { FileSink } from '../../../tools/generator/file-writer';
import type { OutputLine } from '../../../tools/generator/line-mixer';
import { temporaryPathFor } from '../../../tools/generator/line-sink';
import { ProgressBar } from '../../../tools/generator/progress';
import { REPO_ROOT, repoPath } from '../../../lib/shared/repo-root';
import { BERKA_DIR, contractErrors, generate, tempDir } from './helpers';

function usageError(args: string[]): string {
  try {
    parseCliOptions(args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

describe('option errors name the option and the valid values', () => {
  const cases: [string[], RegExp][] = [
    [['--count', 'lots'], /--count must be a whole number from 1 to 1,000,000,000 .*got "lots"/],
    [['--count', '0'], /--count must be a whole number/],
    [['--rate=-5'], /--rate must be a number of lines per second, 0 or more.*got "-5"/],
    [['--rate', 'fast'], /--rate must be a number of lines per second/],
    [['--start', '2024-02-30'], /--start must be an ISO date like 2024-01-01.*got "2024-02-30"/],
    [['--days', '0'], /--days must be a whole number from 1 to/],
    [['--files', '3'], /--files splits the output into files and needs --out DIR/],
    [
      ['--out', repoPath('.local', 'generator', 'drop'), '--files', '2', '--lines-per-file', '10'],
      /--files and --lines-per-file are alternatives/,
    ],
    [['--bad-ratio', '1.5'], /--bad-ratio must be a number from 0 to below 1/],
    [['--bad-ratio', '0.6', '--duplicate-ratio', '0.5'], /must stay below 1/],
    [['--bad-kinds', 'bad_currency,typo'], /--bad-kinds must be one of malformed_json, .*; got "typo"/],
    [['--amount-format', 'float'], /--amount-format must be one of number, string; got "float"/],
    [['--kafka-brokers', '127.0.0.1:9092'], /--kafka-brokers needs --topic NAME/],
    [['--kafka-brokers', 'localhost', '--topic', 't'], /"localhost" is not host:port/],
    [['--topic', 't'], /--topic needs --kafka-brokers/],
    [['--atms', '3'], /--atms must be a whole number from 10 to 2,000/],
    [['--berka', '/nonexistent/berka'], /--berka \/nonexistent\/berka: no such folder/],
    [['--berka', BERKA_DIR, '--days', '3'], /--days does not apply with --berka/],
    [['--berka-time', 'midnight'], /--berka-time only applies with --berka DIR/],
    [
      ['--berka', BERKA_DIR, '--berka-time', 'noon'],
      /--berka-time must be one of seeded, midnight; got "noon"/,
    ],
    [['--frobnicate'], /Unknown option '--frobnicate'.*--help/],
    [['--seed', ''], /--seed needs a value/],
  ];
  for (const [args, pattern] of cases) {
    it(args.join(' '), () => expect(usageError(args)).toMatch(pattern));
  }

  it('accepts 250k / 10M style counts and defaults', () => {
    const parsed = parseCliOptions(['--count', '250k']);
    expect(parsed.help).toBe(false);
    if (!parsed.help) {
      expect(parsed.options.count).toBe(250_000);
      expect(parsed.options.seed).toBe('1');
      expect(parsed.options.start).toBe(Date.UTC(2024, 0, 1) / 1000);
    }
    const big = parseCliOptions(['--count', '10M']);
    if (!big.help) expect(big.options.count).toBe(10_000_000);
  });
});

describe('the command line', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', repoPath('tools', 'generator', 'cli.ts'), ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('writes valid lines to stdout and a one-line report to stderr', () => {
    const result = cli(['--seed', '2', '--count', '200']);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(200);
    for (const line of lines) expect(contractErrors(JSON.parse(line))).toEqual([]);
    expect(result.stderr).toMatch(/200 lines \(200 good, 0 bad, 0 duplicates\)/);
  });

  it('exits 2 with a clear message on a bad option, and prints help', () => {
    const bad = cli(['--count', 'many']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/generator: --count must be a whole number/);
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--kafka-brokers/);
  });

  it('refuses to overwrite files in the drop folder unless --overwrite', () => {
    const out = tempDir('cli-out');
    expect(cli(['--count', '50', '--out', out]).status).toBe(0);
    const again = cli(['--count', '50', '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds transactions-20240101-s1-00001\.jsonl.*--overwrite/);
    expect(cli(['--count', '50', '--out', out, '--overwrite']).status).toBe(0);
  });
});

describe('files in the drop folder', () => {
  const line = (text: string): OutputLine => ({
    kind: 'good',
    text,
    accountId: 'a',
    transactionId: text,
    record: null,
    bad: null,
  });

  it('are only visible under their final name once complete', () => {
    const dir = tempDir('atomic');
    const sink = new FileSink({ dir, prefix: 'part', linesPerFile: 3, totalLines: 5, overwrite: false });
    sink.write([line('1'), line('2')]);
    expect(readdirSync(dir)).toEqual(['.part-00001.jsonl.partial']);
    sink.write([line('3'), line('4')]);
    expect(readdirSync(dir).sort()).toEqual(['.part-00002.jsonl.partial', 'part-00001.jsonl']);
    expect(readFileSync(join(dir, 'part-00001.jsonl'), 'utf8')).toBe('1\n2\n3\n');
    sink.write([line('5')]);
    sink.close();
    expect(readdirSync(dir).sort()).toEqual(['part-00001.jsonl', 'part-00002.jsonl']);
    expect(readFileSync(join(dir, 'part-00002.jsonl'), 'utf8')).toBe('4\n5\n');
  });

  it('abort removes the half-written file', () => {
    const dir = tempDir('abort');
    const sink = new FileSink({ dir, prefix: 'part', linesPerFile: 10, totalLines: 10, overwrite: false });
    sink.write([line('1')]);
    expect(existsSync(temporaryPathFor(join(dir, 'part-00001.jsonl')))).toBe(true);
    sink.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to overwrite an existing file', () => {
    const dir = tempDir('exists');
    writeFileSync(join(dir, 'part-00002.jsonl'), 'taken\n');
    expect(
      () => new FileSink({ dir, prefix: 'part', linesPerFile: 5, totalLines: 10, overwrite: false }),
    ).toThrow(/already holds part-00002\.jsonl/);
  });
});

describe('rate', () => {
  it('paces output to --rate lines per second without changing the content', async () => {
    const sleeps: number[] = [];
    let clock = 0;
    const paced = await generate(['--seed', '8', '--count', '400', '--rate', '200'], {
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });
    // 400 lines at 200/s: about 2 seconds of simulated waiting, in batches of rate/20 = 10 lines.
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeCloseTo(2000, -1);
    expect(sleeps.length).toBe(40);
    const fast = await generate(['--seed', '8', '--count', '400']);
    expect(paced.lines).toEqual(fast.lines);
  });
});

describe('progress bar', () => {
  class Capture extends Writable {
    text = '';
    constructor(readonly isTTY: boolean) {
      super();
    }
    override _write(chunk: Buffer, _encoding: string, done: () => void): void {
      this.text += chunk.toString();
      done();
    }
  }

  it('redraws in place on a terminal and shows percent, counts, rate and eta', async () => {
    let now = 0;
    const stream = new Capture(true);
    const bar = new ProgressBar({ total: 1000, stream, enabled: true, now: () => now });
    now = 1000;
    bar.tick(250);
    bar.finish();
    await new Promise((r) => setImmediate(r));
    expect(stream.text).toContain('\r[');
    expect(bar.render(1000)).toMatch(/^\[#{8}-{22}\] {2}25\.0% 250\/1,000 lines 250\/s elapsed 1s eta 3s$/);
  });

  it('prints plain lines when forced on a non-terminal, and nothing when disabled', async () => {
    const plain = new Capture(false);
    const bar = new ProgressBar({ total: 10, stream: plain, enabled: true, now: () => 0 });
    bar.tick(10);
    bar.finish();
    const silent = new Capture(false);
    const off = new ProgressBar({ total: 10, stream: silent, enabled: false });
    off.tick(10);
    off.finish();
    await new Promise((r) => setImmediate(r));
    expect(plain.text).not.toContain('\r');
    expect(plain.text).toMatch(/100\.0% 10\/10 lines [^\n]*\n$/);
    expect(silent.text).toBe('');
  });
});
