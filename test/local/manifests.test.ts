import { describe, expect, it } from 'vitest';
import { duplicateBadLines } from '../../local/pipeline/manifests';

const manifest = (counts: Record<string, unknown>): string =>
  JSON.stringify({ run_id: 'run-2026-12-02T17', counts: { read: 10, duplicates: 3, ...counts } });

describe("the copies of bad lines among a manifest's duplicates", () => {
  it('reads counts.duplicate_bad_lines', () => {
    expect(duplicateBadLines(manifest({ duplicate_bad_lines: 2 }), 'm.json')).toBe(2);
  });

  it('is 0 for a manifest of a job version that quarantined every copy (no such key)', () => {
    expect(duplicateBadLines(manifest({}), 'm.json')).toBe(0);
  });

  it('refuses a value that is no count or exceeds the duplicates, naming the file', () => {
    for (const bad of [-1, 1.5, '2', 4]) {
      expect(() => duplicateBadLines(manifest({ duplicate_bad_lines: bad }), 'm.json')).toThrow(
        /manifest m\.json: counts\.duplicate_bad_lines must be a whole number from 0 to counts\.duplicates/,
      );
    }
  });
});
