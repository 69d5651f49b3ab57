/**
 * Turns a stream of good transactions into the output lines: good lines, deliberately bad lines
 * and duplicates of earlier good lines, interleaved at seeded positions with exact totals
 * (selection sampling: at each slot, P(kind) = remaining(kind) / remaining(all)).
 */
import { BadLineFactory, type BadLine, type BadLineKind } from './bad-lines';
import type { Prng } from './prng';
import { serializeRecord, type AmountFormat, type TxnRecord } from './record';

export type LineKind = 'good' | 'bad' | 'duplicate';

export interface OutputLine {
  kind: LineKind;
  text: string;
  /** Kafka key; null when the line has no usable account_id */
  accountId: string | null;
  transactionId: string | null;
  /** the transaction, for good lines only */
  record: TxnRecord | null;
  bad: BadLine | null;
}

export interface LinePlan {
  good: number;
  bad: number;
  duplicates: number;
}

/**
 * Duplicates are drawn from this many most recent good lines (re-sent batches are recent). Kept
 * small on purpose: lines held longer survive garbage collections and slow the whole run down.
 */
const DUPLICATE_WINDOW = 256;

/** Splits a total line count into good/bad/duplicate counts, always keeping at least one good line. */
export function planLines(totalLines: number, badRatio: number, duplicateRatio: number): LinePlan {
  let bad = Math.round(totalLines * badRatio);
  let duplicates = Math.round(totalLines * duplicateRatio);
  const maxNotGood = totalLines - 1;
  if (bad + duplicates > maxNotGood) {
    const excess = bad + duplicates - maxNotGood;
    const fromDuplicates = Math.min(duplicates, excess);
    duplicates -= fromDuplicates;
    bad -= excess - fromDuplicates;
  }
  return { good: totalLines - bad - duplicates, bad, duplicates };
}

/** Plan for a source with a fixed number of good lines (Berka): bad/duplicates are shares of the total. */
export function planAroundGood(good: number, badRatio: number, duplicateRatio: number): LinePlan {
  const total = Math.round(good / (1 - badRatio - duplicateRatio));
  const bad = Math.round(total * badRatio);
  const duplicates = good === 0 ? 0 : Math.round(total * duplicateRatio);
  return { good, bad: good === 0 ? 0 : bad, duplicates };
}

export class LineMixer {
  private readonly recent: OutputLine[] = [];
  private recentNext = 0;
  private lookahead: TxnRecord | null = null;
  private lastGood: TxnRecord | null = null;
  private kindCycle: BadLineKind[] = [];

  constructor(
    private readonly records: Iterator<TxnRecord>,
    private readonly plan: LinePlan,
    private readonly prng: Prng,
    private readonly badFactory: BadLineFactory,
    private readonly badKinds: readonly BadLineKind[],
    private readonly amountFormat: AmountFormat,
  ) {
    if (plan.bad > 0 && badKinds.length === 0)
      throw new Error('bad lines requested but no bad line kinds enabled');
  }

  *lines(): Generator<OutputLine> {
    let good = this.plan.good;
    let bad = this.plan.bad;
    let duplicates = this.plan.duplicates;
    while (good + bad + duplicates > 0) {
      const pick = this.prng.next() * (good + bad + duplicates);
      if (pick < bad) {
        bad -= 1;
        yield this.badLine();
      } else if (pick < bad + duplicates && this.recent.length > 0) {
        duplicates -= 1;
        yield this.prng.pick(this.recent);
      } else {
        // A duplicate slot before any good line exists becomes a good line (the duplicate comes later).
        good -= 1;
        yield this.goodLine();
      }
    }
  }

  private nextRecord(): TxnRecord {
    if (this.lookahead) {
      const record = this.lookahead;
      this.lookahead = null;
      return record;
    }
    const next = this.records.next();
    if (next.done)
      throw new Error('internal: the transaction source ended before the planned number of good lines');
    return next.value;
  }

  private goodLine(): OutputLine {
    const record = this.nextRecord();
    this.lastGood = record;
    const line: OutputLine = {
      kind: 'good',
      text: serializeRecord(record, this.amountFormat),
      accountId: record.accountId,
      transactionId: record.transactionId,
      record,
      bad: null,
    };
    // Only what a duplicate needs is kept (not the record), to hold as little as possible.
    const kept: OutputLine = {
      kind: 'duplicate',
      text: line.text,
      accountId: line.accountId,
      transactionId: line.transactionId,
      record: null,
      bad: null,
    };
    if (this.recent.length < DUPLICATE_WINDOW) this.recent.push(kept);
    else {
      this.recent[this.recentNext] = kept;
      this.recentNext = (this.recentNext + 1) % DUPLICATE_WINDOW;
    }
    return line;
  }

  private badLine(): OutputLine {
    let template = this.lastGood;
    if (!template) {
      template = this.nextRecord();
      this.lookahead = template;
    }
    const bad = this.badFactory.make(this.nextBadKind(), template);
    return {
      kind: 'bad',
      text: bad.text,
      accountId: bad.accountId,
      transactionId: bad.transactionId,
      record: null,
      bad,
    };
  }

  /** Kinds come in shuffled rounds, so every enabled kind appears once per round. */
  private nextBadKind(): BadLineKind {
    if (this.kindCycle.length === 0) {
      this.kindCycle = [...this.badKinds];
      for (let i = this.kindCycle.length - 1; i > 0; i--) {
        const j = this.prng.int(i + 1);
        [this.kindCycle[i], this.kindCycle[j]] = [this.kindCycle[j], this.kindCycle[i]];
      }
    }
    const kind = this.kindCycle.pop();
    if (kind === undefined) throw new Error('internal: no bad line kinds to draw from');
    return kind;
  }
}
