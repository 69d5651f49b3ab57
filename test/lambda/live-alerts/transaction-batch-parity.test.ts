/**
 * The live parser refuses every line the ATM job quarantines: the job's bad-input corpus
 * (test/spark-jobs/fixtures/bad_lines.tsv, each line with the reason the job gives it) read by
 * parseTransactionLine at the corpus' own now. A line the batch quarantines but the live path took
 * would raise an alert the batch's fraud_flags never has.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTransactionLine } from '../../../lambda/live-alerts/fraud-rules';
import { repoPath } from '../../../lib/shared/repo-root';

const CORPUS = repoPath('test', 'spark-jobs', 'fixtures', 'bad_lines.tsv');
/** The job's --now for the corpus (CORPUS_NOW in test/spark-jobs/fixtures/corpus.py). */
const CORPUS_NOW = Date.parse('2024-06-01T00:00:00Z');

interface CorpusLine {
  readonly lineNumber: number;
  readonly reason: string;
  readonly rawLine: string;
}

function corpusLines(): CorpusLine[] {
  return readFileSync(CORPUS, 'utf8')
    .split('\n')
    .map((line, index) => ({ line, lineNumber: index + 1 }))
    .filter(({ line }) => line !== '' && !line.startsWith('#'))
    .map(({ line, lineNumber }) => {
      const tab = line.indexOf('\t');
      if (tab < 0) throw new Error(`${CORPUS}:${lineNumber}: expected '<reason>\\t<raw line>'`);
      return { lineNumber, reason: line.slice(0, tab), rawLine: line.slice(tab + 1) };
    });
}

describe('a line the ATM job quarantines', () => {
  const lines = corpusLines();

  it('the corpus has lines of every kind the job knows', () => {
    expect(lines.length).toBeGreaterThan(40);
  });

  it.each(lines.map((line) => [line.reason, line.lineNumber, line.rawLine] as const))(
    'is a bad line for the live rules too: %s (corpus line %i)',
    (_reason, _lineNumber, rawLine) => {
      const parsed = parseTransactionLine(rawLine, CORPUS_NOW);
      expect(parsed.ok ? `taken by the live rules: ${rawLine}` : parsed.kind).toBe('invalid');
    },
  );
});
