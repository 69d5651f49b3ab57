/**
 * Bundle-size benchmark of every Lambda entry (lambda/<name>/handler.ts or index.ts).
 *
 * Builds each entry with esbuild using exactly the settings PipelineFunction
 * deploys with (PIPELINE_BUNDLE_SETTINGS: minified, CommonJS, @aws-sdk/*
 * external, semver stub), then prints a markdown table of the minified sizes,
 * gzip sizes and the largest contributors, and writes the same figures as JSON.
 *
 *   npx tsx scripts/bench-lambda-bundles.ts [--out .local/bench/lambda-bundles.json] [--budget-kb 150]
 *
 * Exit code 1 when a bundle is over the budget, so CI can use it as a gate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { PIPELINE_BUNDLE_SETTINGS } from '../lib/shared/pipeline-function';
import { REPO_ROOT } from '../lib/shared/repo-root';

const LAMBDA_DIR = path.join(REPO_ROOT, 'lambda');

interface BundleFigures {
  readonly name: string;
  readonly entry: string;
  readonly minifiedBytes: number;
  readonly gzipBytes: number;
  readonly overBudget: boolean;
  /** Largest contributors (package or source file) and their bytes in the output. */
  readonly largest: { readonly input: string; readonly bytes: number }[];
}

function parseArgs(argv: string[]): { out: string; budgetKb: number } {
  let out = path.join(REPO_ROOT, '.local', 'bench', 'lambda-bundles.json');
  let budgetKb = 150;
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--out' && value !== undefined) {
      out = path.resolve(value);
      i += 1;
    } else if (flag === '--budget-kb' && value !== undefined && Number(value) > 0) {
      budgetKb = Number(value);
      i += 1;
    } else {
      throw new Error(`Unknown or incomplete option ${flag}: use --out <file.json> and/or --budget-kb <n>`);
    }
  }
  return { out, budgetKb };
}

/** lambda/<name>/handler.ts, else lambda/<name>/index.ts; `shared` is a library, not an entry. */
function findEntries(): { name: string; entry: string }[] {
  return fs
    .readdirSync(LAMBDA_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'shared')
    .flatMap((d) => {
      const entry = ['handler.ts', 'index.ts']
        .map((file) => path.join(LAMBDA_DIR, d.name, file))
        .find((file) => fs.existsSync(file));
      return entry ? [{ name: d.name, entry }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Bytes in the output per package (node_modules/<pkg>) or per source file. */
function contributors(metafile: Metafile): { input: string; bytes: number }[] {
  const output = Object.values(metafile.outputs)[0];
  const byInput = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = pkg ? pkg[1] : input;
    byInput.set(key, (byInput.get(key) ?? 0) + bytesInOutput);
  }
  return [...byInput.entries()]
    .map(([input, bytes]) => ({ input, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
}

async function bundle(name: string, entry: string, budgetBytes: number): Promise<BundleFigures> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: PIPELINE_BUNDLE_SETTINGS.target,
    format: PIPELINE_BUNDLE_SETTINGS.format,
    minify: PIPELINE_BUNDLE_SETTINGS.minify,
    mainFields: [...PIPELINE_BUNDLE_SETTINGS.mainFields],
    external: [...PIPELINE_BUNDLE_SETTINGS.externalModules],
    alias: { ...PIPELINE_BUNDLE_SETTINGS.aliases },
    // The deployed asset also carries a .map file; the budget is about the code Lambda loads.
    sourcemap: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  return {
    name,
    entry: path.relative(REPO_ROOT, entry),
    minifiedBytes: code.byteLength,
    gzipBytes: zlib.gzipSync(code, { level: 9 }).byteLength,
    overBudget: code.byteLength > budgetBytes,
    largest: contributors(result.metafile),
  };
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

async function main(): Promise<void> {
  const { out, budgetKb } = parseArgs(process.argv.slice(2));
  const entries = findEntries();
  if (entries.length === 0) throw new Error(`No Lambda entries found under ${LAMBDA_DIR}`);
  const figures: BundleFigures[] = [];
  for (const { name, entry } of entries) figures.push(await bundle(name, entry, budgetKb * 1024));

  const lines = [
    `| Lambda | minified (KB) | gzip (KB) | within ${budgetKb} KB | largest parts |`,
    '|---|---:|---:|:---:|---|',
    ...figures.map(
      (f) =>
        `| ${f.name} | ${kb(f.minifiedBytes)} | ${kb(f.gzipBytes)} | ${f.overBudget ? 'no' : 'yes'} | ${f.largest
          .map((c) => `${c.input} ${kb(c.bytes)}`)
          .join(', ')} |`,
    ),
  ];
  console.log(lines.join('\n'));

  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify({ generatedAt: new Date().toISOString(), budgetKb, settings: PIPELINE_BUNDLE_SETTINGS, bundles: figures }, null, 2)}\n`,
  );
  console.log(`\nWrote ${path.relative(REPO_ROOT, out)}`);
  const over = figures.filter((f) => f.overBudget);
  if (over.length > 0) {
    console.error(
      `Over the ${budgetKb} KB budget: ${over.map((f) => f.name).join(', ')} (write the reason down or slim them)`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
