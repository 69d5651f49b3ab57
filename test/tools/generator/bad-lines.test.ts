/**
 * Every bad-line kind is invalid for exactly the reason it claims (checked with ajv against the
 * contract), duplicates repeat earlier good lines, and the --bad-out list points at the right lines.
 */
import type { ErrorObject } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BAD_LINE_KINDS,
  BadLineFactory,
  FAR_FUTURE_MIN_YEAR,
  type BadLine,
  type BadLineKind,
} from '../../../tools/generator/bad-lines';
import { atmRequiredFields } from '../../../tools/generator/contract';
import { Prng } from '../../../tools/generator/prng';
import type { TxnRecord } from '../../../tools/generator/record';
import { SyntheticSource } from '../../../tools/generator/transactions';
import { contractErrors, generate, must, readJsonLines, type GeneratedRun } from './helpers';

const SAMPLES_PER_KIND = 60;

/** The ajv errors a bad line of this kind must produce; anything else means it is broken for another reason. */
function errorsMatchClaim(kind: BadLineKind, bad: BadLine, errors: ErrorObject[]): boolean {
  const at = (path: string): boolean => errors.every((e) => e.instancePath === path);
  /** Exactly one error, of one of these keywords, on the field the bad line names. */
  const onlyErrorOnField = (...keywords: string[]): boolean =>
    errors.length === 1 &&
    keywords.includes(errors[0].keyword) &&
    errors[0].instancePath === `/${bad.detail.field}`;
  switch (kind) {
    case 'not_an_object':
      return errors.length > 0 && errors.every((e) => e.instancePath === '' && e.keyword === 'type');
    case 'missing_required_field':
      return (
        errors.length === 1 &&
        errors[0].keyword === 'required' &&
        errors[0].params.missingProperty === bad.detail.field
      );
    case 'empty_required_field':
      return onlyErrorOnField('minLength');
    case 'non_positive_amount':
    case 'too_many_decimals':
    case 'non_numeric_amount':
      return errors.length > 0 && at('/amount');
    case 'unknown_enum':
      return onlyErrorOnField('enum');
    case 'bad_currency':
      return errors.length > 0 && at('/currency');
    case 'bad_timestamp':
      return errors.length > 0 && at('/occurred_at');
    case 'atm_fields_missing': {
      const missing = errors
        .filter((e) => e.keyword === 'required')
        .map((e) => e.params.missingProperty as string);
      return (
        errors.every((e) => e.instancePath === '' && (e.keyword === 'required' || e.keyword === 'if')) &&
        missing.length > 0 &&
        missing.every((f) => atmRequiredFields.includes(f)) &&
        new Set(missing).size === (bad.detail.removed as string[]).length
      );
    }
    case 'coordinates_out_of_range':
      return onlyErrorOnField('minimum', 'maximum');
    case 'malformed_json':
    case 'far_future_timestamp':
      return false; // checked separately: not JSON at all / schema-valid
  }
}

describe('bad line kinds', () => {
  let templates: TxnRecord[];
  let factory: BadLineFactory;

  beforeAll(() => {
    const source = new SyntheticSource({
      seed: 'bad-lines',
      goodCount: 3000,
      periodStart: Date.UTC(2024, 1, 20) / 1000,
      days: 14,
      accounts: 100,
      atms: 40,
      fraudRatio: 0,
    });
    templates = [...{ [Symbol.iterator]: () => source.records() }];
    factory = new BadLineFactory(new Prng('bad-lines-test'), source.network, 'number');
  });

  for (const kind of BAD_LINE_KINDS) {
    it(`${kind}: invalid for the claimed reason (${SAMPLES_PER_KIND} samples over ATM and non-ATM templates)`, () => {
      for (let i = 0; i < SAMPLES_PER_KIND; i++) {
        const template = templates[(i * 37) % templates.length];
        const bad = factory.make(kind, template);
        expect(bad.kind).toBe(kind);
        expect(bad.transactionId === null || bad.transactionId !== template.transactionId).toBe(true);
        if (kind === 'malformed_json') {
          expect(() => JSON.parse(bad.text), bad.text).toThrow();
          continue;
        }
        const value = JSON.parse(bad.text) as Record<string, unknown>;
        const errors = contractErrors(value);
        if (kind === 'far_future_timestamp') {
          // Schema-valid on purpose: the business rule "not decades in the future" is what it breaks.
          expect(errors).toEqual([]);
          expect(Number((value.occurred_at as string).slice(0, 4))).toBeGreaterThanOrEqual(
            FAR_FUTURE_MIN_YEAR,
          );
          continue;
        }
        expect(errors.length, `${kind} ${bad.text}`).toBeGreaterThan(0);
        expect(
          errorsMatchClaim(kind, bad, errors),
          `${kind} ${JSON.stringify(bad.detail)} -> ${JSON.stringify(errors)}`,
        ).toBe(true);
      }
    });
  }

  it('non_positive_amount and too_many_decimals carry the values they claim', () => {
    for (let i = 0; i < 100; i++) {
      const template = templates[i];
      const nonPositive = JSON.parse(factory.make('non_positive_amount', template).text);
      expect(Number(nonPositive.amount)).toBeLessThanOrEqual(0);
      const decimals = JSON.parse(factory.make('too_many_decimals', template).text);
      expect(String(decimals.amount)).toMatch(/^\d+\.\d{3}$/);
    }
  });
});

describe('bad lines and duplicates in a run', () => {
  let run: GeneratedRun;
  let listed: {
    line_index: number;
    file: string;
    line: number;
    kind: string;
    transaction_id: string | null;
  }[];

  beforeAll(async () => {
    run = await generate('--seed 9 --count 8000 --bad-ratio 0.05 --duplicate-ratio 0.02 --files 2');
    listed = readJsonLines(run.badPath);
  });

  it('writes the requested shares, every kind at least once', () => {
    const bad = listed.filter((l) => l.kind !== 'duplicate');
    const duplicates = listed.filter((l) => l.kind === 'duplicate');
    expect(bad).toHaveLength(400);
    expect(duplicates).toHaveLength(160);
    for (const kind of BAD_LINE_KINDS)
      expect(
        bad.some((l) => l.kind === kind),
        kind,
      ).toBe(true);
  });

  it('--bad-out points at the right file and line; all other lines are valid and unique', () => {
    const listedIndexes = new Set(listed.map((l) => l.line_index));
    const fileText = new Map(run.files.map((f) => [f.name, f.text.split('\n')]));
    const seen = new Map<string, string>();
    run.lines.forEach((text, index) => {
      const entry = listed.find((l) => l.line_index === index);
      if (entry) expect(must(fileText.get(entry.file), entry.file)[entry.line - 1]).toBe(text);
      if (listedIndexes.has(index)) return;
      const value = JSON.parse(text) as { transaction_id: string };
      expect(contractErrors(value)).toEqual([]);
      expect(seen.has(value.transaction_id)).toBe(false);
      seen.set(value.transaction_id, text);
    });
    // Duplicates repeat an earlier good line byte for byte.
    for (const entry of listed.filter((l) => l.kind === 'duplicate')) {
      const text = run.lines[entry.line_index];
      const original = seen.get(must(entry.transaction_id, 'duplicate id'));
      expect(original).toBe(text);
      expect(run.lines.indexOf(text)).toBeLessThan(entry.line_index);
    }
  });

  it('a bad line never reuses the transaction_id of a good line', () => {
    const goodIds = new Set(
      run.lines
        .filter((_, i) => !listed.some((l) => l.line_index === i))
        .map((t) => (JSON.parse(t) as { transaction_id: string }).transaction_id),
    );
    for (const entry of listed.filter((l) => l.kind !== 'duplicate' && l.transaction_id)) {
      expect(goodIds.has(must(entry.transaction_id, 'bad line id'))).toBe(false);
    }
  });

  it('--bad-kinds limits the kinds', async () => {
    const limited = await generate(
      '--seed 9 --count 500 --bad-ratio 0.1 --bad-kinds bad_currency,unknown_enum',
    );
    const kinds = new Set(readJsonLines<{ kind: string }>(limited.badPath).map((l) => l.kind));
    expect(kinds).toEqual(new Set(['bad_currency', 'unknown_enum']));
  });
});
