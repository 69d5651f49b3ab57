/**
 * One demo seed's way into the raw zone, kept in the runs ledger so that any later run can finish
 * what an interrupted one started:
 *
 *   generate (into the seed's staging folder) -> drop (files move into the SFTP drop)
 *   -> ingest (wait until the raw zone holds every line; note the hours they fill)
 *
 * The generator writes into staging, not into the drop, so the connectors only ever see the files
 * of a seed whose truth (summary) is written: a run interrupted while generating leaves nothing
 * for the pipeline, and its seed is abandoned. Once dropped, the connectors ingest the files
 * whether the driver still runs or not; the next run waits for those lines before dropping its
 * own, so every raw object written in between belongs to the one seed in flight.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { topicRecordCount } from './kafka';
import { runLogged } from './processes';
import type { Progress } from './progress';
import { ingestedSeed, isAlive, type RunLedger, type SeedDrop } from './run-ledger';
import type { DemoPeriod, SeedEventSpan } from './demo-period';
import type { GeneratorTruth, IngestedSeed } from './reconciliation';
import { type RawZoneCounter, windowOfRawKey } from './s3';
import type { TwinSettings } from './settings';

/** The generator's summary file (the fields the demo reads). */
export interface GeneratorSummary extends GeneratorTruth {
  readonly first_occurred_at: string;
  readonly last_occurred_at: string;
  readonly monthly: { year: number; month: number; completed_count: number; completed_amount: string }[];
}

export interface SeedDropsOptions {
  readonly settings: TwinSettings;
  readonly ledger: RunLedger;
  readonly rawCounter: RawZoneCounter;
  readonly topic: string;
  readonly progress: Progress;
  /** How long one seed's ingest may take before the run gives up. */
  readonly ingestTimeoutSeconds: number;
}

/** How far a seed's ingest has come. */
export interface IngestProgress {
  readonly topicRecords: number;
  readonly rawLines: number;
}

const LINES_PER_FILE = 25_000;

export class SeedDrops {
  constructor(private readonly options: SeedDropsOptions) {}

  /** Where a seed's truth (summary, customers) and its staged files live. */
  truthDir(seed: string): string {
    return path.join(this.options.settings.demoHome, 'truth', `seed-${seed}`);
  }

  /**
   * Finishes what interrupted runs left: a seed cut off while generating is abandoned (its staged
   * files deleted: none reached the drop); a dropped seed gets its remaining files moved into the
   * drop, then its ingest is awaited. Returns the seeds ingested here.
   */
  async settleEarlier(): Promise<IngestedSeed[]> {
    const { ledger, progress } = this.options;
    const settled: IngestedSeed[] = [];
    for (const drop of ledger.drops()) {
      if (
        (drop.status === 'generating' || drop.status === 'dropped') &&
        drop.pid !== process.pid &&
        isAlive(drop.pid)
      ) {
        throw new Error(
          `another demo run (pid ${drop.pid}) is still working on seed ${drop.seed} in this twin: ` +
            'wait for it to end, or stop it (Ctrl-C in its terminal), then run again',
        );
      }
      if (drop.status === 'generating') {
        fs.rmSync(drop.stagingDir, { recursive: true, force: true });
        ledger.updateDrop(drop.seed, (d) => void (d.status = 'abandoned'));
        progress.step(
          `seed ${drop.seed}: interrupted while generating, none of its lines dropped (abandoned)`,
        );
      } else if (drop.status === 'dropped') {
        progress.step(
          `seed ${drop.seed}: dropped by an interrupted run; waiting until the raw zone holds its ` +
            `${drop.truth?.lines_total ?? '?'} lines`,
        );
        this.moveStagedFiles(drop);
        const seed = await this.awaitIngest(drop.seed, (p) =>
          progress.update(
            `seed ${drop.seed}: ${p.topicRecords} records on the topic, ${p.rawLines} raw lines`,
          ),
        );
        progress.step(`seed ${drop.seed}: ingested into hour(s) ${Object.keys(seed.hours).join(', ')}`);
        settled.push(seed);
      }
    }
    return settled;
  }

  /**
   * When the transactions of every seed dropped so far occurred (drops cut off while generating
   * left nothing). Drops of demo versions that did not record it are read from their summaries.
   */
  earlierEventSpans(): SeedEventSpan[] {
    return this.options.ledger.drops().flatMap((drop) => {
      if (drop.status === 'generating' || drop.status === 'abandoned') return [];
      if (drop.eventSpan !== undefined) return [drop.eventSpan];
      if (!fs.existsSync(drop.summaryFile)) return [];
      return [eventSpanOf(JSON.parse(fs.readFileSync(drop.summaryFile, 'utf8')) as GeneratorSummary)];
    });
  }

  /** Generates `count` lines of `seed` over `period` into its staging folder and returns its summary. */
  async generate(seed: string, count: number, period: DemoPeriod): Promise<GeneratorSummary> {
    const { settings, ledger } = this.options;
    const truthDir = this.truthDir(seed);
    const stagingDir = path.join(truthDir, 'staged');
    const summaryFile = path.join(truthDir, 'summary.json');
    fs.rmSync(stagingDir, { recursive: true, force: true });
    fs.mkdirSync(stagingDir, { recursive: true });
    ledger.addDrop({
      seed,
      status: 'generating',
      startedAt: new Date().toISOString(),
      pid: process.pid,
      stagingDir,
      summaryFile,
    });
    await runLogged(
      'generator',
      path.join(settings.repoRoot, 'node_modules', '.bin', 'tsx'),
      [
        path.join(settings.repoRoot, 'tools', 'generator', 'cli.ts'),
        '--seed',
        seed,
        '--count',
        String(count),
        '--start',
        period.start,
        '--days',
        String(period.days),
        '--out',
        stagingDir,
        '--files',
        String(Math.max(1, Math.ceil(count / LINES_PER_FILE))),
        '--bad-ratio',
        '0.01',
        '--duplicate-ratio',
        '0.005',
        '--summary',
        summaryFile,
        '--customers-out',
        this.customersFile(seed),
      ],
      { logFile: path.join(settings.twinHome, 'logs', 'demo-generator.log') },
    );
    return JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as GeneratorSummary;
  }

  customersFile(seed: string): string {
    return path.join(this.truthDir(seed), 'customers.jsonl');
  }

  /**
   * Moves a generated seed's files into the SFTP drop, after noting in the ledger what the topic and
   * the raw zone held before (so its lines can be told apart from everything earlier). `readLive`:
   * the live-alerts consumer runs and will read its records.
   */
  async drop(seed: string, summary: GeneratorSummary, readLive: boolean): Promise<string[]> {
    const { ledger, rawCounter, settings, topic } = this.options;
    const rawKeysBefore = [...(await rawCounter.refresh()).keys()];
    const topicBefore = await topicRecordCount(settings.kafkaBootstrap, topic);
    const drop = ledger.updateDrop(seed, (d) => {
      d.status = 'dropped';
      d.truth = {
        lines_total: summary.lines_total,
        good: summary.good,
        bad: summary.bad,
        duplicates: summary.duplicates,
      };
      d.eventSpan = eventSpanOf(summary);
      d.readLive = readLive;
      d.droppedAt = new Date().toISOString();
      d.rawKeysBefore = rawKeysBefore;
      d.topicBefore = topicBefore;
    });
    return this.moveStagedFiles(drop);
  }

  /**
   * Moves a dropped seed's staged files into the SFTP drop (same file system: a rename each).
   * Synchronous on purpose: an interrupt is handled after the loop, never between two files.
   */
  private moveStagedFiles(drop: SeedDrop): string[] {
    const { sftpDropDir } = this.options.settings;
    if (!fs.existsSync(drop.stagingDir)) return [];
    const files = fs.readdirSync(drop.stagingDir).filter((name) => !name.startsWith('.'));
    for (const name of files) fs.renameSync(path.join(drop.stagingDir, name), path.join(sftpDropDir, name));
    fs.rmSync(drop.stagingDir, { recursive: true, force: true });
    return files;
  }

  /**
   * Waits until the topic and the raw zone hold every line of a dropped seed, then records the hours
   * its lines are in: every raw object that was not there before its drop holds its lines.
   */
  async awaitIngest(seed: string, onProgress: (progress: IngestProgress) => void): Promise<IngestedSeed> {
    const { ledger, rawCounter, settings, topic, ingestTimeoutSeconds } = this.options;
    const drop = ledger.read().drops?.[seed];
    if (drop?.truth === undefined || drop.rawKeysBefore === undefined || drop.topicBefore === undefined) {
      throw new Error(`seed ${seed} was not dropped, so there is no ingest to wait for`);
    }
    const { truth, topicBefore } = drop;
    const before = new Set(drop.rawKeysBefore);
    const deadline = Date.now() + ingestTimeoutSeconds * 1000;
    for (;;) {
      const topicRecords = (await topicRecordCount(settings.kafkaBootstrap, topic)) - topicBefore;
      const hours: Record<string, number> = {};
      let rawLines = 0;
      for (const [key, lines] of await rawCounter.refresh()) {
        const window = windowOfRawKey(key);
        if (before.has(key) || window === undefined) continue;
        hours[window] = (hours[window] ?? 0) + lines;
        rawLines += lines;
      }
      onProgress({ topicRecords, rawLines });
      if (rawLines >= truth.lines_total && topicRecords >= truth.lines_total) {
        const ingested = ledger.updateDrop(seed, (d) => {
          d.status = 'ingested';
          d.topicRecords = topicRecords;
          d.hours = hours;
          delete d.rawKeysBefore; // only needed until the seed's objects are known
        });
        const result = ingestedSeed(ingested);
        if (result === undefined) throw new Error(`seed ${seed}: the ledger lost its ingest record`);
        return result;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `ingest of seed ${seed} timed out after ${ingestTimeoutSeconds}s: ${topicRecords} records on ${topic}, ` +
            `${rawLines} raw lines, ${truth.lines_total} generated; see ${settings.twinHome}/logs/connect.log ` +
            '(DEMO_INGEST_TIMEOUT raises the limit; the next run waits for them again)',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function eventSpanOf(summary: GeneratorSummary): SeedEventSpan {
  return { first: summary.first_occurred_at, last: summary.last_occurred_at };
}
