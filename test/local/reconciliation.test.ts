import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  coverage,
  earlierRunsNote,
  type IngestedSeed,
  reconcile,
  sumTruths,
} from '../../local/pipeline/reconciliation';
import { createLocalRunStarter, RunLedger } from '../../local/pipeline/run-ledger';

function seed(name: string, hours: Record<string, number>, good = 0, bad = 0, duplicates = 0): IngestedSeed {
  const lines = Object.values(hours).reduce((a, b) => a + b, 0);
  return {
    seed: name,
    droppedAt: '2026-12-02T17:05:09.123Z',
    truth: { lines_total: lines, good: good || lines - bad - duplicates, bad, duplicates },
    topicRecords: lines,
    hours,
  };
}

describe('coverage: the hours and seeds a run reconciles together', () => {
  const a = seed('42', { '2026-12-02T17': 3000 });
  const b = seed('42-1', { '2026-12-02T17': 1000, '2026-12-02T18': 2000 });
  const c = seed('42-2', { '2026-12-02T18': 3000 });
  const d = seed('42-3', { '2026-12-02T20': 3000 });

  it('is the run alone when its hours hold only its own lines', () => {
    expect(coverage(['2026-12-02T20'], [a, b, c, d])).toEqual({ windows: ['2026-12-02T20'], seeds: [d] });
  });

  it('takes in every earlier seed with lines in the same hour', () => {
    const covered = coverage(['2026-12-02T17'], [a, b]);
    expect(covered.seeds.map((s) => s.seed)).toEqual(['42', '42-1']);
  });

  it('grows until closed: a seed spanning two hours pulls in the other hour and its seeds', () => {
    // Processing 18 only: 42-1 is there, its other lines are in 17, where 42 is too.
    const covered = coverage(['2026-12-02T18'], [a, b, c, d]);
    expect(covered.windows).toEqual(['2026-12-02T17', '2026-12-02T18']);
    expect(covered.seeds.map((s) => s.seed)).toEqual(['42', '42-1', '42-2']);
  });

  it('covers a processed hour that no seed fills (its lines then show as unaccounted)', () => {
    expect(coverage(['2026-12-02T19'], [a, b, c, d])).toEqual({ windows: ['2026-12-02T19'], seeds: [] });
  });
});

describe('the expected counts of a coverage', () => {
  it('are the sums of its seeds truths and topic records', () => {
    const one = seed('7', { h: 1000 }, 980, 15, 5);
    const two = { ...seed('7-1', { h: 500 }, 490, 6, 4), topicRecords: 499 };
    expect(sumTruths([one, two])).toEqual({
      lines_total: 1500,
      good: 1470,
      bad: 21,
      duplicates: 9,
      topicRecords: 1499,
    });
  });

  it('match the manifests of the covered hours line for line, and one line off fails only its lines', () => {
    const truth = sumTruths([seed('7', { h: 1000 }, 980, 15, 5), seed('7-1', { h: 500 }, 490, 6, 4)]);
    const counts = {
      generated: truth.lines_total,
      good: truth.good,
      bad: truth.bad,
      duplicates: truth.duplicates,
      topicRecords: truth.topicRecords,
      rawLines: 1500,
      read: 1500,
      valid: 1470,
      quarantined: 21,
      manifestDuplicates: 9,
      manifestDuplicateBadLines: 0,
      warehouseRows: 1470,
      hoursOutOfAttempts: 0,
    };
    expect(reconcile(counts).filter((l) => !l.ok)).toEqual([]);
    // Two bad lines were copies of a third: quarantined once, the copies counted as duplicates.
    const copies = { ...counts, quarantined: 19, manifestDuplicates: 11, manifestDuplicateBadLines: 2 };
    expect(reconcile(copies).filter((l) => !l.ok)).toEqual([]);
    expect(
      reconcile({ ...copies, manifestDuplicateBadLines: 0 })
        .filter((l) => !l.ok)
        .map((l) => l.label),
    ).toEqual([
      'quarantined + bad-line copies = generator bad lines',
      'other duplicates = generator duplicates',
    ]);
    const failed = reconcile({ ...counts, read: 1501, valid: 1471 }).filter((l) => !l.ok);
    expect(failed.map((l) => l.label)).toEqual([
      'ATM job read = lines generated',
      'valid (processed) = generator good, unique',
      'warehouse rows of these hours = valid',
    ]);
  });
});

describe('the note naming earlier runs in the table', () => {
  const a = seed('42', { h: 3000 });
  const b = { ...seed('42-1', { h: 2000 }), droppedAt: '2026-12-02T17:12:40.000Z' };

  it('is absent when the table covers this run alone', () => {
    expect(earlierRunsNote({ windows: ['h'], seeds: [b] }, '42-1')).toBeUndefined();
  });

  it('counts the earlier lines and names each earlier seed with its drop time', () => {
    expect(earlierRunsNote({ windows: ['h'], seeds: [a, b] }, '42-1')).toBe(
      'includes 3,000 lines of earlier runs in the same hours (seed 42 dropped at 2026-12-02 17:05Z)',
    );
  });
});

describe('the twin ledger after an interrupted run', () => {
  let dir: string | undefined;
  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  const ledgerWith = (doc: object): RunLedger => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-'));
    const file = path.join(dir, 'runs-ledger.json');
    fs.writeFileSync(file, JSON.stringify({ claims: {}, executions: {}, seeds: [], ...doc }));
    return new RunLedger(file);
  };
  // A pid no process has: the driver that held it is gone.
  const GONE = 2 ** 22 + 12345;
  const RUN = 'run-2026-12-02T17';
  /** The ledger's claims: the hour of RUN, claimed and started, with the fields of one test. */
  const startedClaims = (fields: object): object => ({
    [RUN]: {
      runId: RUN,
      window: '2026-12-02T17',
      rawPrefix: 'p/',
      claimedAt: 'x',
      expiresAt: 0,
      status: 'STARTED',
      ...fields,
    },
  });

  it('gives up the start-run lease of a driver that is gone', () => {
    const ledger = ledgerWith({ lease: { holder: 'x', acquiredAt: 1, expiresAt: 4e9, pid: GONE } });
    ledger.abortOrphans();
    expect(ledger.read().lease).toBeUndefined();
  });

  it('keeps the lease of a driver that still runs', () => {
    const lease = { holder: 'x', acquiredAt: 1, expiresAt: 4e9, pid: process.pid };
    const ledger = ledgerWith({ lease });
    ledger.abortOrphans();
    expect(ledger.read().lease).toEqual(lease);
  });

  it('retries an hour whose execution was interrupted without using up one of its attempts', async () => {
    const input = { runId: 'run-2026-12-02T17', executionName: 'run-2026-12-02T17-a2', attempt: 2 };
    const ledger = ledgerWith({
      claims: startedClaims({ attempt: 2, executionName: input.executionName, failedAttempts: 1 }),
      executions: {
        [input.executionName]: {
          executionArn: 'a',
          input,
          status: 'RUNNING',
          startedAt: 'x',
          pid: process.pid,
        },
      },
      lease: { holder: 'x', acquiredAt: 1, expiresAt: 4e9, pid: process.pid },
    });
    expect(ledger.abandonOwn()).toEqual(['run-2026-12-02T17']);
    expect(ledger.read().lease).toBeUndefined();
    const starter = createLocalRunStarter(ledger, {} as never);
    await starter.recordOutcome('run-2026-12-02T17', 2, 'FAILED', 'execution ABORTED');
    expect(ledger.read().claims['run-2026-12-02T17']).toMatchObject({ status: 'FAILED', failedAttempts: 1 });
  });

  it('counts an execution that failed by itself as a failed attempt', async () => {
    const input = { runId: 'run-2026-12-02T17', executionName: 'run-2026-12-02T17', attempt: 1 };
    const ledger = ledgerWith({
      claims: startedClaims({}),
      executions: {
        [input.executionName]: { executionArn: 'a', input, status: 'FAILED', startedAt: 'x', pid: GONE },
      },
    });
    const starter = createLocalRunStarter(ledger, {} as never);
    await starter.recordOutcome('run-2026-12-02T17', 1, 'FAILED', 'execution FAILED');
    expect(ledger.read().claims['run-2026-12-02T17']).toMatchObject({ status: 'FAILED', failedAttempts: 1 });
  });
});
