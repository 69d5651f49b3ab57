/** One line of the reconciliation table: a count and what it must equal. */
export interface ReconciliationLine {
  readonly label: string;
  readonly actual: number;
  readonly expected: number;
  readonly ok: boolean;
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
 * valid = rows added to the warehouse; the generator's own truth splits the last sum.
 */
export function reconcile(c: PipelineCounts): ReconciliationLine[] {
  return [
    line('records on the topic = lines generated', c.topicRecords, c.generated),
    line('lines in the raw zone = lines generated', c.rawLines, c.generated),
    line('ATM job read = lines generated', c.read, c.generated),
    line('valid + quarantined + duplicates = read', c.valid + c.quarantined + c.manifestDuplicates, c.read),
    line('valid (processed) = generator good, unique', c.valid, c.good),
    line('quarantined = generator bad lines', c.quarantined, c.bad),
    line('duplicates = generator duplicates', c.manifestDuplicates, c.duplicates),
    line('warehouse rows added = valid', c.warehouseRows, c.valid),
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
