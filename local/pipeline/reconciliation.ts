/** One line of the reconciliation table: a count and what it must equal. */
export interface ReconciliationLine {
  readonly label: string;
  readonly actual: number;
  readonly expected: number;
  readonly ok: boolean;
}

/** The generator's truth about one seed's lines (its summary's counts). */
export interface GeneratorTruth {
  readonly lines_total: number;
  readonly good: number;
  readonly bad: number;
  readonly duplicates: number;
}

/** A seed whose lines are all in the raw zone: its truth and the hours the sink put them in. */
export interface IngestedSeed {
  readonly seed: string;
  /** When its files reached the SFTP drop (ISO 8601). */
  readonly droppedAt: string;
  readonly truth: GeneratorTruth;
  /** Records the topic received for this seed. */
  readonly topicRecords: number;
  /** Raw-zone lines per hour window (`2026-12-02T17`), as counted when its ingest completed. */
  readonly hours: Readonly<Record<string, number>>;
}

/** The seeds a reconciliation covers and the hours they fill. */
export interface Coverage {
  /** Sorted hour windows. */
  readonly windows: string[];
  /** In drop order. */
  readonly seeds: IngestedSeed[];
}

/**
 * The hour windows and seeds that can be reconciled together, starting from the hours a run
 * processed. The job reads whole hours, and the raw zone's hour is the ingest hour, so an hour
 * can hold lines of several runs, and one seed's lines can span two hours. The generator's truth
 * is per seed, not per hour, so the set grows until it is closed: every seed with a line in one of
 * its hours is in it, and every hour holding a line of one of its seeds is in it. Then the sum of
 * those hours' manifests must equal the sum of those seeds' truths, line for line.
 */
export function coverage(processedWindows: readonly string[], seeds: readonly IngestedSeed[]): Coverage {
  const windows = new Set(processedWindows);
  const covered = new Set<IngestedSeed>();
  for (let grew = true; grew;) {
    grew = false;
    for (const seed of seeds) {
      if (covered.has(seed) || !Object.keys(seed.hours).some((w) => windows.has(w))) continue;
      covered.add(seed);
      Object.keys(seed.hours).forEach((w) => windows.add(w));
      grew = true;
    }
  }
  return { windows: [...windows].sort(), seeds: seeds.filter((seed) => covered.has(seed)) };
}

export function sumTruths(seeds: readonly IngestedSeed[]): GeneratorTruth & { topicRecords: number } {
  return seeds.reduce(
    (sum, { truth, topicRecords }) => ({
      lines_total: sum.lines_total + truth.lines_total,
      good: sum.good + truth.good,
      bad: sum.bad + truth.bad,
      duplicates: sum.duplicates + truth.duplicates,
      topicRecords: sum.topicRecords + topicRecords,
    }),
    { lines_total: 0, good: 0, bad: 0, duplicates: 0, topicRecords: 0 },
  );
}

/**
 * What the table covers besides this run's own seed, e.g.
 * "includes 3,000 lines of earlier runs in the same hours (seed 42 dropped at 2026-12-02 17:05Z)".
 * Undefined when the table is this run's seed alone.
 */
export function earlierRunsNote(covered: Coverage, ownSeed: string): string | undefined {
  const earlier = covered.seeds.filter((s) => s.seed !== ownSeed);
  if (earlier.length === 0) return undefined;
  const lines = earlier.reduce((sum, s) => sum + s.truth.lines_total, 0);
  const which = earlier
    .map((s) => `seed ${s.seed} dropped at ${s.droppedAt.slice(0, 16).replace('T', ' ')}Z`)
    .join(', ');
  return `includes ${lines.toLocaleString('en')} lines of earlier runs in the same hours (${which})`;
}

export interface PipelineCounts {
  /** Lines the generator wrote (its summary's lines_total). */
  readonly generated: number;
  readonly good: number;
  readonly bad: number;
  readonly duplicates: number;
  readonly topicRecords: number;
  readonly rawLines: number;
  readonly read: number;
  readonly valid: number;
  readonly quarantined: number;
  readonly manifestDuplicates: number;
  /** Of the manifests' duplicates, the copies of bad lines (each bad text is quarantined once). */
  readonly manifestDuplicateBadLines: number;
  readonly warehouseRows: number;
  /** Hours whose attempts all failed (start-run gave up on them). */
  readonly hoursOutOfAttempts: number;
}

/** The counts of a tick-only pass over the hours the ledger holds (no generator truth). */
export interface HourCounts {
  readonly rawLines: number;
  readonly read: number;
  readonly valid: number;
  readonly quarantined: number;
  readonly duplicates: number;
  readonly warehouseRows: number;
  readonly hoursOutOfAttempts: number;
}

function line(label: string, actual: number, expected: number): ReconciliationLine {
  return { label, actual, expected, ok: actual === expected };
}

/**
 * generated = on the topic = in raw = processed (valid) + quarantined + duplicates, and
 * valid = the hours' rows in the warehouse; the generator's own truth splits the last sum.
 * The job quarantines each bad text once and counts its other copies as duplicates (the generator
 * writes some texts, such as `null`, more than once, in one seed and across seeds), so the
 * generator's bad lines are matched by quarantined + those copies, its duplicates by the rest.
 * The counts are those of a Coverage: its seeds' truths against its hours' manifests.
 */
export function reconcile(c: PipelineCounts): ReconciliationLine[] {
  return [
    line('records on the topic = lines generated', c.topicRecords, c.generated),
    line('lines in the raw zone = lines generated', c.rawLines, c.generated),
    line('ATM job read = lines generated', c.read, c.generated),
    line('valid + quarantined + duplicates = read', c.valid + c.quarantined + c.manifestDuplicates, c.read),
    line('valid (processed) = generator good, unique', c.valid, c.good),
    line(
      'quarantined + bad-line copies = generator bad lines',
      c.quarantined + c.manifestDuplicateBadLines,
      c.bad,
    ),
    line(
      'other duplicates = generator duplicates',
      c.manifestDuplicates - c.manifestDuplicateBadLines,
      c.duplicates,
    ),
    line('warehouse rows of these hours = valid', c.warehouseRows, c.valid),
    line('hours left failed after retries', c.hoursOutOfAttempts, 0),
  ];
}

/** Every line of the processed hours accounted for: raw = read = valid + quarantined + duplicates, valid = warehouse. */
export function reconcileHours(c: HourCounts): ReconciliationLine[] {
  return [
    line('ATM job read = lines in the raw zone', c.read, c.rawLines),
    line('valid + quarantined + duplicates = read', c.valid + c.quarantined + c.duplicates, c.read),
    line('warehouse rows = valid', c.warehouseRows, c.valid),
    line('hours left failed after retries', c.hoursOutOfAttempts, 0),
  ];
}

export function reconciliationText(lines: ReconciliationLine[]): string {
  const width = Math.max(...lines.map((l) => l.label.length));
  return lines
    .map(
      (l) =>
        `    ${l.ok ? '\u2713' : '\u2717'} ${l.label.padEnd(width)}  ${String(l.actual).padStart(9)}` +
        `${l.ok ? '' : `  (expected ${l.expected})`}`,
    )
    .join('\n');
}
