import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../shared/repo-root';

/** Job sources are found from the repository root, not from the cwd (re-exported for the warehouse stack). */
export { REPO_ROOT };

/** Name of the job package inside spark-jobs/ and of its zip in the bundle. */
export const BANKPIPE_PACKAGE = 'bankpipe';
export const BANKPIPE_ZIP = `${BANKPIPE_PACKAGE}.zip`;
/** Where the transaction contract goes inside the package, so the jobs load it with importlib.resources. */
export const BANKPIPE_SCHEMA_ENTRY = `${BANKPIPE_PACKAGE}/transaction.schema.json`;
/** The fraud rules file's name in contracts/ and inside the package (bankpipe/fraud-rules.json). */
export const FRAUD_RULES_FILE = 'fraud-rules.json';
export const BANKPIPE_FRAUD_RULES_ENTRY = `${BANKPIPE_PACKAGE}/${FRAUD_RULES_FILE}`;
/** The pipeline layout file's name in contracts/ and inside the package (bankpipe/pipeline-layout.json). */
export const PIPELINE_LAYOUT_FILE = 'pipeline-layout.json';
export const BANKPIPE_LAYOUT_ENTRY = `${BANKPIPE_PACKAGE}/${PIPELINE_LAYOUT_FILE}`;

/** What goes into one job bundle (a folder deployed under one S3 prefix). */
export interface SparkJobBundleSpec {
  /**
   * Files copied as they are, by their name in the bundle (e.g. `atm_job.py` -> absolute source path).
   */
  readonly files: Readonly<Record<string, string>>;
  /**
   * Folder of the `bankpipe` Python package, zipped as `bankpipe.zip` (for `--py-files` /
   * `--extra-py-files`) with the contract added as `bankpipe/transaction.schema.json`.
   * Omit for a bundle without the package.
   */
  readonly packageDir?: string;
  /** The transaction contract (contracts/transaction.schema.json). Required with `packageDir`. */
  readonly contractSchemaPath?: string;
  /**
   * The fraud rules (added as `bankpipe/fraud-rules.json`), used with `packageDir`.
   * @default the `fraud-rules.json` beside `contractSchemaPath` (contracts/fraud-rules.json)
   */
  readonly fraudRulesPath?: string;
}

/** One source file of a bundle: copied into the bundle folder, or added to the package zip. */
export interface BundleInput {
  readonly target: 'bundle' | 'package-zip';
  /** File name in the bundle folder, or entry path inside bankpipe.zip. */
  readonly name: string;
  /** Absolute path of the source file. */
  readonly source: string;
}

/**
 * Everything that determines the bundle's bytes, in a fixed order. Missing
 * sources raise an error that names the file, instead of a half-empty
 * deployment.
 */
export function bundleInputs(spec: SparkJobBundleSpec): BundleInput[] {
  const inputs: BundleInput[] = [];
  for (const [name, source] of Object.entries(spec.files).sort(([a], [b]) => a.localeCompare(b))) {
    requireFile(source, `job file '${name}'`);
    inputs.push({ target: 'bundle', name, source });
  }
  if (spec.packageDir !== undefined) {
    for (const entry of packageEntries(spec.packageDir)) inputs.push(entry);
    if (spec.contractSchemaPath === undefined) {
      throw new Error(
        'a bundle with the bankpipe package needs contractSchemaPath (contracts/transaction.schema.json)',
      );
    }
    requireFile(spec.contractSchemaPath, 'transaction contract');
    inputs.push({ target: 'package-zip', name: BANKPIPE_SCHEMA_ENTRY, source: spec.contractSchemaPath });
    const fraudRules = fraudRulesPathOf(spec, spec.contractSchemaPath);
    requireFile(fraudRules, 'fraud rules');
    inputs.push({ target: 'package-zip', name: BANKPIPE_FRAUD_RULES_ENTRY, source: fraudRules });
    const layout = layoutPathOf(spec.contractSchemaPath);
    requireFile(layout, 'pipeline layout');
    inputs.push({ target: 'package-zip', name: BANKPIPE_LAYOUT_ENTRY, source: layout });
  }
  return inputs;
}

/** The pipeline layout beside the contract (contracts/pipeline-layout.json): the jobs' zone paths. */
function layoutPathOf(contractSchemaPath: string): string {
  return path.join(path.dirname(contractSchemaPath), PIPELINE_LAYOUT_FILE);
}

function fraudRulesPathOf(spec: SparkJobBundleSpec, contractSchemaPath: string): string {
  return spec.fraudRulesPath ?? path.join(path.dirname(contractSchemaPath), FRAUD_RULES_FILE);
}

/**
 * A content hash of every input (names and bytes). Used as the asset hash, so
 * the asset (and the deployment that copies it) changes exactly when a job
 * file, a package module or the contract changes.
 */
export function bundleFingerprint(spec: SparkJobBundleSpec): string {
  const hash = crypto.createHash('sha256');
  for (const input of bundleInputs(spec)) {
    hash
      .update(`${input.target}:${input.name}`)
      .update('\0')
      .update(fs.readFileSync(input.source))
      .update('\0');
  }
  return hash.digest('hex');
}

/**
 * Writes the bundle into `outputDir`: the job files as they are, plus `bankpipe.zip` when asked.
 *
 * The zip is built by the package's own packager (`python -m bankpipe.package`, standard library
 * only): one packaging logic for EMR, Glue and the tests, which also refuses a contract the job
 * cannot enforce, and writes entries with fixed timestamps.
 */
export function writeBundle(spec: SparkJobBundleSpec, outputDir: string): string[] {
  const inputs = bundleInputs(spec);
  const written: string[] = [];
  for (const input of inputs.filter((i) => i.target === 'bundle')) {
    fs.copyFileSync(input.source, path.join(outputDir, input.name));
    written.push(input.name);
  }
  if (spec.packageDir !== undefined && spec.contractSchemaPath !== undefined) {
    buildPackageZip(
      spec.packageDir,
      spec.contractSchemaPath,
      fraudRulesPathOf(spec, spec.contractSchemaPath),
      path.join(outputDir, BANKPIPE_ZIP),
    );
    written.push(BANKPIPE_ZIP);
  }
  return written.sort();
}

/** Python used at synth time to build the package zip; `python3` unless PYTHON names another. */
function python(): string {
  return process.env.PYTHON ?? 'python3';
}

function buildPackageZip(
  packageDir: string,
  contractSchemaPath: string,
  fraudRulesPath: string,
  target: string,
): void {
  const sourceRoot = path.dirname(packageDir);
  const args = ['-m', `${BANKPIPE_PACKAGE}.package`, target, '--schema', contractSchemaPath];
  try {
    const layoutPath = layoutPathOf(contractSchemaPath);
    execFileSync(python(), [...args, '--fraud-rules', fraudRulesPath, '--layout', layoutPath], {
      cwd: sourceRoot,
      // No __pycache__ left in the source tree by a synth.
      env: { ...process.env, PYTHONPATH: sourceRoot, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(
      `building ${BANKPIPE_ZIP} with '${python()} -m ${BANKPIPE_PACKAGE}.package' failed: ${stderr || String(error)}. ` +
        'Fix the package or the contract (or set PYTHON to a Python 3.11+ interpreter) and synthesize again',
    );
  }
  if (!fs.existsSync(target)) {
    throw new Error(`${BANKPIPE_PACKAGE}.package ran but wrote no ${target}`);
  }
}

/**
 * The package's Python modules as zip inputs (`bankpipe/x.py`), sorted, the
 * way bankpipe.package collects them: every .py file, no byte-code caches.
 */
function packageEntries(packageDir: string): BundleInput[] {
  if (!fs.existsSync(path.join(packageDir, '__init__.py'))) {
    throw new Error(
      `${packageDir}/__init__.py not found: the ${BANKPIPE_PACKAGE} package (spark-jobs/${BANKPIPE_PACKAGE}) must exist ` +
        'before the job bundle can be built; check out the Spark job sources',
    );
  }
  const entries: BundleInput[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const item of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      if (item.name === '__pycache__') continue;
      const full = path.join(dir, item.name);
      if (item.isDirectory()) walk(full, `${prefix}${item.name}/`);
      else if (item.isFile() && item.name.endsWith('.py')) {
        entries.push({
          target: 'package-zip',
          name: `${BANKPIPE_PACKAGE}/${prefix}${item.name}`,
          source: full,
        });
      }
    }
  };
  walk(packageDir, '');
  return entries;
}

function requireFile(file: string, what: string): void {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new Error(
      `${what} not found at ${file}: it is shipped as a job asset, so it must exist at synth time`,
    );
  }
}
