/** The seeded PRNG, weighted sampling and the number formatting every line relies on. */
import { describe, expect, it } from 'vitest';
import { AliasTable, cumulativeWeights, Prng } from '../../../tools/generator/prng';
import { amountJson, centsToDecimalText } from '../../../tools/generator/record';
import {
  centralEuropeanOffsetSeconds,
  formatIsoSeconds,
  parseStartInstant,
} from '../../../tools/generator/time';
import { contractErrors } from './helpers';

describe('Prng', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new Prng('42');
    const b = new Prng('42');
    const c = new Prng('43');
    const seqA = Array.from({ length: 100 }, () => a.nextU32());
    expect(Array.from({ length: 100 }, () => b.nextU32())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.nextU32())).not.toEqual(seqA);
  });

  it('forks independent streams: drawing from one does not shift another', () => {
    const root1 = new Prng('s');
    const root2 = new Prng('s');
    root1.next();
    root1.next();
    expect(root1.fork('x').next()).toBe(root2.fork('x').next());
    expect(root2.fork('x').next()).not.toBe(root2.fork('y').next());
  });

  it('is roughly uniform', () => {
    const prng = new Prng('uniform');
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[prng.int(10)] += 1;
    for (const n of buckets) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });

  it('samples weights with cumulative search and alias tables alike', () => {
    const weights = [1, 0, 3, 6];
    const prng = new Prng('weights');
    const alias = new AliasTable(weights);
    const cumulative = cumulativeWeights(weights);
    const byAlias = [0, 0, 0, 0];
    const bySearch = [0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) {
      byAlias[alias.sample(prng)] += 1;
      bySearch[prng.weightedIndex(cumulative)] += 1;
    }
    for (const counts of [byAlias, bySearch]) {
      expect(counts[1]).toBe(0);
      expect(Math.abs(counts[0] - 10_000)).toBeLessThan(600);
      expect(Math.abs(counts[2] - 30_000)).toBeLessThan(900);
      expect(Math.abs(counts[3] - 60_000)).toBeLessThan(900);
    }
  });

  it('makes version-4-shaped UUIDs', () => {
    const prng = new Prng('ids');
    for (let i = 0; i < 100; i++)
      expect(prng.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('amounts and timestamps', () => {
  const line = (amount: string) =>
    JSON.parse(
      `{"transaction_id":"t","account_id":"a","occurred_at":"2024-01-01T00:00:00Z","type":"debit","operation":"fee",` +
        `"amount":${amount},"currency":"CZK","channel":"branch","status":"completed"}`,
    );

  it('writes every cent value from 0.01 to 2000.00 so that ajv accepts it and it parses back exactly', () => {
    const wrong: string[] = [];
    for (let cents = 1; cents <= 200_000; cents++) {
      const text = amountJson(cents, 'number');
      const parsed = JSON.parse(text) as number | string;
      if ((typeof parsed === 'number' ? parsed : Number(parsed)) !== cents / 100)
        wrong.push(`${cents}: ${text}`);
      if (contractErrors(line(text)).length > 0) wrong.push(`${cents}: ${text} rejected`);
    }
    expect(wrong).toEqual([]);
    // The float trap the string fallback exists for: 0.07 / 0.01 is not an integer in binary.
    expect(amountJson(7, 'number')).toBe('"0.07"');
    expect(amountJson(150, 'number')).toBe('1.5');
    expect(amountJson(200_000, 'number')).toBe('2000');
    expect(amountJson(150, 'string')).toBe('"1.50"');
  });

  it('formats decimal text of cents exactly', () => {
    expect(centsToDecimalText(0)).toBe('0.00');
    expect(centsToDecimalText(5)).toBe('0.05');
    expect(centsToDecimalText(-1234)).toBe('-12.34');
    expect(centsToDecimalText(123456789)).toBe('1234567.89');
  });

  it('formats timestamps to the second in UTC and knows the EU summer time switch', () => {
    expect(formatIsoSeconds(Date.UTC(2024, 2, 31, 0, 59, 59) / 1000)).toBe('2024-03-31T00:59:59Z');
    expect(centralEuropeanOffsetSeconds(Date.UTC(2024, 2, 31, 0, 59, 59) / 1000)).toBe(3600);
    expect(centralEuropeanOffsetSeconds(Date.UTC(2024, 2, 31, 1, 0, 0) / 1000)).toBe(7200);
    expect(centralEuropeanOffsetSeconds(Date.UTC(2024, 9, 27, 0, 59, 59) / 1000)).toBe(7200);
    expect(centralEuropeanOffsetSeconds(Date.UTC(2024, 9, 27, 1, 0, 0) / 1000)).toBe(3600);
  });

  it('parses --start dates and date-times, rejecting impossible ones', () => {
    expect(parseStartInstant('2024-01-01')).toBe(Date.UTC(2024, 0, 1) / 1000);
    expect(parseStartInstant('2024-01-01T06:00:00+01:00')).toBe(Date.UTC(2024, 0, 1, 5) / 1000);
    expect(parseStartInstant('2024-02-30')).toBeNull();
    expect(parseStartInstant('yesterday')).toBeNull();
  });
});
