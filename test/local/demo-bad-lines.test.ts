/**
 * Every bad line the generator writes is one both paths reject: the ATM job quarantines every one
 * (the generator's truth), and the live parser refuses it or never looks at it (not an ATM line of
 * a card). The demo generates every kind, so a kind the live rules read past would raise alerts the
 * batch never raises, and the demo's live reconciliation would fail.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTransactionLine } from '../../lambda/live-alerts/fraud-rules';
import { BAD_LINE_KINDS } from '../../tools/generator/bad-lines';
import { REPO_ROOT } from '../../lib/shared/repo-root';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-bad-lines-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** What the live parser makes of each bad line the generator writes, by kind. */
function liveVerdicts(): { kind: string; ok: boolean }[] {
  const out = path.join(work, 'out');
  const badOut = path.join(work, 'bad.jsonl');
  execFileSync(
    path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
    [
      path.join(REPO_ROOT, 'tools', 'generator', 'cli.ts'),
      ...['--seed', 'demo-bad', '--count', '6000', '--bad-ratio', '0.5'],
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

describe("the generator's bad lines, as the demo writes them", () => {
  it('are never evaluated by the live rules, whatever their kind', { timeout: 60_000 }, () => {
    const verdicts = liveVerdicts();
    expect(new Set(verdicts.map((v) => v.kind))).toEqual(new Set(BAD_LINE_KINDS));
    expect(verdicts.filter((v) => v.ok)).toEqual([]);
  });
});
