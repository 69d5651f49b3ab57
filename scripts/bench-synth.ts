/**
 * Benchmark: wall time of a full `cdk synth` of all stacks (nag packs on) per
 * stage, median of N runs, written to docs/benchmarks.md between markers.
 * Usage: npx tsx scripts/bench-synth.ts [--runs 5] [--no-write]
 * A script, not a test: timings depend on the machine and belong in docs.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT as root } from '../lib/shared/repo-root';
import { replaceSection } from './bench-doc';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, 'no-write': { type: 'boolean' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got ${values.runs}`);

const cdkBin = path.join(root, 'node_modules', '.bin', 'cdk');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const rows: string[] = [];
for (const stage of ['dev', 'prod']) {
  const times: number[] = [];
  let stacks = 0;
  for (let i = 0; i < runs; i++) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-synth-${stage}-`));
    const started = process.hrtime.bigint();
    execFileSync(cdkBin, ['synth', '--all', '--quiet', '-c', `stage=${stage}`, '-o', out], {
      cwd: root,
      stdio: 'pipe',
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
    stacks = fs.readdirSync(out).filter((f) => f.endsWith('.template.json')).length;
    fs.rmSync(out, { recursive: true, force: true });
  }
  const line = `| ${stage} | ${stacks} | ${runs} | ${median(times).toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`;
  console.log(line);
  rows.push(line);
}

const section = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
  'Full `cdk synth --all` (all stacks, Lambda bundling with esbuild, AwsSolutions + PCI DSS 3.2.1 nag packs, CloudFormation validation).',
  '',
  '| stage | stacks | runs | median s | min s | max s |',
  '|---|---|---|---|---|---|',
  ...rows,
].join('\n');
if (!values['no-write']) replaceSection(path.join(root, 'docs', 'benchmarks.md'), 'cdk-synth', section);
