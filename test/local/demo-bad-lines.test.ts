/**
 * The demo's bad lines are of kinds both paths reject: the ATM job quarantines every one, and the live
 * parser refuses it or never looks at it (not an ATM line of a card). The kinds left out are needed:
 * the live parser evaluates some of their lines, which could raise alerts the batch never raises.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTransactionLine } from '../../lambda/live-alerts/fraud-rules';
import { BAD_KINDS_THE_LIVE_RULES_READ, DEMO_BAD_LINE_KINDS } from '../../local/pipeline/seed-drops';
import { BAD_LINE_KINDS } from '../../tools/generator/bad-lines';
import { REPO_ROOT } from '../../lib/shared/repo-root';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-bad-lines-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** What the live parser makes of each bad line the generator writes with these kinds. */
function liveVerdicts(name: string, kinds: readonly string[]): { kind: string; ok: boolean }[] {
  const out = path.join(work, name);
  const badOut = path.join(work, `${name}.bad.jsonl`);
  execFileSync(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
    [
      path.join(REPO_ROOT, 'tools', 'generator', 'cli.ts'),
      ...['--seed', 'demo-bad', '--count', '6000', '--bad-ratio', '0.5', '--bad-kinds', kinds.join(',')],
      ...['--out', out, '--files', '1', '--bad-out', badOut],
    ],
    { stdio: 'pipe' },
  );
  const [file] = fs.readdirSync(out);
  const lines = fs.readFileSync(path.join(out, file), 'utf8').split('\n');
  return fs
    .readFileSync(badOut, 'utf8')
    .trim()
    .split('\n')
    .map((text) => JSON.parse(text) as { kind: string; line: number })
    .filter((bad) => (BAD_LINE_KINDS as readonly string[]).includes(bad.kind))
    .map((bad) => ({ kind: bad.kind, ok: parseTransactionLine(lines[bad.line - 1]).ok }));
}

describe("the demo's bad lines", () => {
  it('are every kind the generator knows but those the live rules read past', () => {
    expect([...DEMO_BAD_LINE_KINDS, ...BAD_KINDS_THE_LIVE_RULES_READ].sort()).toEqual(
      [...BAD_LINE_KINDS].sort(),
    );
  });

  it('are never evaluated by the live rules', { timeout: 60_000 }, () => {
    const verdicts = liveVerdicts('demo', DEMO_BAD_LINE_KINDS);
    expect(new Set(verdicts.map((v) => v.kind)).size).toBe(DEMO_BAD_LINE_KINDS.length);
    expect(verdicts.filter((v) => v.ok)).toEqual([]);
  });

  it('leave out kinds whose lines the live rules would evaluate', { timeout: 60_000 }, () => {
    const verdicts = liveVerdicts('left-out', BAD_KINDS_THE_LIVE_RULES_READ);
    for (const kind of BAD_KINDS_THE_LIVE_RULES_READ) {
      expect(
        verdicts.some((v) => v.kind === kind && v.ok),
        kind,
      ).toBe(true);
    }
  });
});
