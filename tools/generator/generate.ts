/**
 * Runs one generation: builds the good-transaction source (synthetic simulation or Berka replay),
 * mixes in bad lines and duplicates, sends the lines to the sinks (files, Kafka or stdout) at the
 * requested rate, then writes the side files (summary, fraud sidecar, bad-line list, customers,
 * Berka rejects). Option parsing and validation live in cli.ts; this takes validated options.
 */
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { distanceKm } from './atm-network';
import { BadLineFactory, type BadLineKind } from './bad-lines';
import { BerkaSource, type BerkaCashChannel, type BerkaTimeMode } from './berka';
import { FileSink } from './file-writer';
import { FRAUD_PATTERNS, type FraudIncident } from './fraud';
import { KafkaSink, createKafkaJsProducer, type KafkaProducerFactory } from './kafka-writer';
import { LineMixer, planAroundGood, planLines, type LinePlan, type OutputLine } from './line-mixer';
import { writeFileAtomically, type LineSink } from './line-sink';
import { Prng } from './prng';
import { ProgressBar } from './progress';
import type { AmountFormat, TxnRecord } from './record';
import { StdoutSink } from './stdout-writer';
import { RunStats, type FileStats } from './summary';
import { SyntheticSource } from './transactions';
import { defaultAccountCount } from './accounts';
import type { AtmNetwork } from './atm-network';

export interface GeneratorOptions {
  seed: string;
  /** synthetic: total lines to write; Berka: replay at most this many trans.asc rows (null = all) */
  count: number | null;
  /** lines per second, 0 = as fast as possible */
  rate: number;
  /** epoch seconds */
  start: number;
  days: number;
  files: number | null;
  linesPerFile: number | null;
  out: string | null;
  prefix: string | null;
  overwrite: boolean;
  badRatio: number;
  duplicateRatio: number;
  badKinds: readonly BadLineKind[];
  fraudRatio: number;
  kafkaBrokers: readonly string[] | null;
  topic: string | null;
  customersOut: string | null;
  summary: string | null;
  fraudOut: string | null;
  badOut: string | null;
  berka: string | null;
  berkaTime: BerkaTimeMode;
  berkaCashChannel: BerkaCashChannel;
  berkaRejects: string | null;
  accounts: number | null;
  atms: number;
  amountFormat: AmountFormat;
  progress: boolean;
}

export interface GeneratorDependencies {
  kafkaProducerFactory?: KafkaProducerFactory;
  stderr?: Writable & { isTTY?: boolean };
  stdout?: Writable;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface GeneratorResult {
  summary: Record<string, unknown>;
  files: FileStats[];
  /** file paths written by the file sink, in order */
  filePaths: string[];
  fraudIncidents: Record<string, unknown>[];
  badLines: Record<string, unknown>[];
}

/** Largest number of lines handed to the sinks at once when not rate-limited. */
const BATCH_LINES = 1000;

interface Source {
  goodCount: number;
  network: AtmNetwork;
  records(): Iterator<TxnRecord>;
}

function safeForFileName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

function defaultPrefix(options: GeneratorOptions): string {
  if (options.berka) return `berka-transactions-s${safeForFileName(options.seed)}`;
  const day = new Date(options.start * 1000).toISOString().slice(0, 10).replace(/-/g, '');
  return `transactions-${day}-s${safeForFileName(options.seed)}`;
}

function jsonLines(rows: readonly unknown[]): string {
  return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length > 0 ? '\n' : '');
}

function fraudSidecarRows(source: SyntheticSource): Record<string, unknown>[] {
  return source.fraudIncidents.map((incident: FraudIncident) => {
    const account = source.book.accounts[incident.accountIndex];
    const atms = incident.events.map((e) => source.network.atms[e.atmIndex]);
    let maxDistance = 0;
    for (let i = 1; i < atms.length; i++)
      maxDistance = Math.max(maxDistance, distanceKm(atms[i - 1], atms[i]));
    const first = incident.events[0].time;
    const last = incident.events[incident.events.length - 1].time;
    return {
      incident_id: incident.incidentId,
      pattern: incident.pattern,
      account_id: account.id,
      card_id: account.card?.id ?? null,
      card_type: account.card?.type.name ?? null,
      first_occurred_at: incident.outcomes[0]?.occurred_at ?? null,
      last_occurred_at: incident.outcomes[incident.outcomes.length - 1]?.occurred_at ?? null,
      window_seconds: last - first,
      max_consecutive_distance_km: Math.round(maxDistance * 10) / 10,
      transactions: incident.outcomes,
    };
  });
}

function fraudSummary(
  options: GeneratorOptions,
  source: SyntheticSource | null,
): Record<string, unknown> | null {
  if (!source) return null;
  const byPattern = Object.fromEntries(
    FRAUD_PATTERNS.map((pattern) => {
      const incidents = source.fraudIncidents.filter((i) => i.pattern === pattern);
      return [
        pattern,
        { incidents: incidents.length, transactions: incidents.reduce((s, i) => s + i.events.length, 0) },
      ];
    }),
  );
  return {
    fraud_ratio: options.fraudRatio,
    incidents: source.fraudIncidents.length,
    transactions: source.fraudIncidents.reduce((s, i) => s + i.events.length, 0),
    by_pattern: byPattern,
  };
}

export async function runGenerator(
  options: GeneratorOptions,
  deps: GeneratorDependencies = {},
): Promise<GeneratorResult> {
  const stderr = deps.stderr ?? process.stderr;
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  // ---- the good transactions
  let synthetic: SyntheticSource | null = null;
  let berka: BerkaSource | null = null;
  let plan: LinePlan;
  let source: Source;
  if (options.berka) {
    berka = new BerkaSource({
      dir: options.berka,
      seed: options.seed,
      timeMode: options.berkaTime,
      cashChannel: options.berkaCashChannel,
      atms: options.atms,
      maxRows: options.count ?? undefined,
    });
    plan = planAroundGood(berka.goodCount, options.badRatio, options.duplicateRatio);
    source = berka;
    if (berka.rejections.length > 0) {
      stderr.write(
        `generator: ${berka.rejections.length} of ${berka.rowsRead} Berka rows could not be mapped ` +
          (options.berkaRejects
            ? `(listed in ${options.berkaRejects})\n`
            : '(pass --berka-rejects FILE to list them)\n'),
      );
    }
  } else {
    if (options.count === null) throw new Error('internal: synthetic mode needs a count');
    plan = planLines(options.count, options.badRatio, options.duplicateRatio);
    synthetic = new SyntheticSource({
      seed: options.seed,
      goodCount: plan.good,
      periodStart: options.start,
      days: options.days,
      accounts: options.accounts ?? defaultAccountCount(plan.good, options.days),
      atms: options.atms,
      fraudRatio: options.fraudRatio,
    });
    source = synthetic;
  }
  const totalLines = plan.good + plan.bad + plan.duplicates;
  const linePrng = new Prng(`bank-generator-lines:${options.seed}`);
  const mixer = new LineMixer(
    source.records(),
    plan,
    linePrng.fork('mix'),
    new BadLineFactory(linePrng.fork('bad-lines'), source.network, options.amountFormat),
    options.badKinds,
    options.amountFormat,
  );

  // ---- where the lines go
  const linesPerFile = options.linesPerFile ?? Math.max(1, Math.ceil(totalLines / (options.files ?? 1)));
  const sinks: LineSink[] = [];
  let fileSink: FileSink | null = null;
  if (options.out) {
    fileSink = new FileSink({
      dir: options.out,
      prefix: options.prefix ?? defaultPrefix(options),
      linesPerFile,
      totalLines,
      overwrite: options.overwrite,
    });
    sinks.push(fileSink);
  }
  if (options.kafkaBrokers) {
    if (options.topic === null) throw new Error('internal: --kafka-brokers without --topic');
    const kafka = new KafkaSink(
      deps.kafkaProducerFactory ?? createKafkaJsProducer,
      options.kafkaBrokers,
      options.topic,
    );
    await kafka.open();
    sinks.push(kafka);
  }
  if (sinks.length === 0) sinks.push(new StdoutSink(deps.stdout));

  // ---- the run
  const stats = new RunStats(options.badKinds);
  const progress = new ProgressBar({
    total: totalLines,
    stream: stderr,
    enabled: options.progress || stderr.isTTY === true,
    now,
  });
  const badLines: Record<string, unknown>[] = [];
  const fileNames = fileSink ? fileSink.paths.map((p) => basename(p)) : [];
  const batchLines =
    options.rate > 0 ? Math.max(1, Math.min(BATCH_LINES, Math.round(options.rate / 20))) : BATCH_LINES;
  const startedAt = now();
  let lastYieldAt = startedAt;
  let produced = 0;
  try {
    const lines = mixer.lines();
    let batch: OutputLine[] = [];
    const sendBatch = async (): Promise<void> => {
      for (const sink of sinks) await sink.write(batch);
      produced += batch.length;
      progress.tick(batch.length);
      batch = [];
      // File writes are synchronous: yield to the event loop now and then so Ctrl-C is noticed.
      if (now() - lastYieldAt > 100) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYieldAt = now();
      }
      if (deps.signal?.aborted) throw new Error('interrupted');
      if (options.rate > 0) {
        const due = startedAt + (produced / options.rate) * 1000;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
      }
    };
    for (let next = lines.next(); !next.done; next = lines.next()) {
      const line = next.value;
      if (options.badOut && line.kind !== 'good') {
        const index = produced + batch.length;
        badLines.push({
          line_index: index,
          file: fileNames[Math.floor(index / linesPerFile)] ?? null,
          line: (index % linesPerFile) + 1,
          kind: line.bad?.kind ?? 'duplicate',
          transaction_id: line.transactionId,
          detail: line.bad?.detail ?? {},
        });
      }
      stats.observe(line);
      batch.push(line);
      if (batch.length >= batchLines) await sendBatch();
    }
    if (batch.length > 0) await sendBatch();
    for (const sink of sinks) await sink.close();
  } catch (error) {
    for (const sink of sinks) await sink.abort();
    throw error;
  } finally {
    progress.finish();
  }

  // ---- side files
  const fraudIncidents = synthetic ? fraudSidecarRows(synthetic) : [];
  if (options.fraudOut) writeFileAtomically(options.fraudOut, jsonLines(fraudIncidents));
  if (options.badOut) writeFileAtomically(options.badOut, jsonLines(badLines));
  let berkaSummary: Record<string, unknown> | null = null;
  let customers: unknown[] = [];
  if (berka) {
    const owners = berka.customers();
    customers = owners.rows;
    const byReason = new Map<string, number>();
    for (const r of berka.rejections) {
      const reason = r.reason.replace(/"[^"]*"/g, '"…"');
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    berkaSummary = {
      rows_read: berka.rowsRead,
      mapped: berka.goodCount,
      rejected: berka.rejections.length,
      rejected_by_reason: Object.fromEntries([...byReason.entries()].sort()),
      accounts_replayed: owners.rows.length + owners.withoutOwner.length + owners.badBirthNumber.length,
      customers_written: owners.rows.length,
      accounts_without_owner: owners.withoutOwner.length,
      owners_with_bad_birth_number: owners.badBirthNumber.length,
      time_of_day: options.berkaTime,
      cash_withdrawal_channel: options.berkaCashChannel,
    };
    if (options.berkaRejects) writeFileAtomically(options.berkaRejects, jsonLines(berka.rejections));
  } else if (synthetic) {
    customers = synthetic.book.accounts.map((a) => ({
      account_id: a.id,
      birth_date: a.birthDate,
      gender: a.gender,
    }));
  }
  if (options.customersOut) writeFileAtomically(options.customersOut, jsonLines(customers));

  const summary = stats.toJSON({
    mode: berka ? 'berka' : 'synthetic',
    options: {
      seed: options.seed,
      count: options.count,
      start: berka ? null : new Date(options.start * 1000).toISOString(),
      days: berka ? null : options.days,
      accounts: synthetic ? synthetic.book.accounts.length : null,
      atms: options.atms,
      bad_ratio: options.badRatio,
      duplicate_ratio: options.duplicateRatio,
      bad_kinds: options.badKinds,
      fraud_ratio: berka ? null : options.fraudRatio,
      amount_format: options.amountFormat,
      lines_per_file: fileSink ? linesPerFile : null,
    },
    files: fileSink ? fileSink.files : [],
    fraud: fraudSummary(options, synthetic),
    berka: berkaSummary,
  });
  if (options.summary) writeFileAtomically(options.summary, JSON.stringify(summary, null, 2) + '\n');
  return {
    summary,
    files: fileSink ? fileSink.files : [],
    filePaths: fileSink ? fileSink.paths : [],
    fraudIncidents,
    badLines,
  };
}
