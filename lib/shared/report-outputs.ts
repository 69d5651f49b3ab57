import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './repo-root';

/** Where the report definitions live, relative to the repository root: the one place to edit a report. */
export const REPORT_DEFINITIONS_DIR = path.join('sql', 'reports');
/** The index `make reports` writes beside the definitions, relative to the repository root. */
export const REPORT_OUTPUTS_INDEX = path.join(REPORT_DEFINITIONS_DIR, 'index.json');
/** The job's report catalog `make reports` writes, relative to the repository root. */
export const REPORT_CATALOG_MODULE = path.join('spark-jobs', 'bankpipe', 'report_catalog.py');

const FIX = 'run `make reports` (make setup runs it too)';

interface IndexedReport {
  readonly name: string;
  readonly athenaQuery: string;
  readonly sourceSha256: string;
}

/**
 * Fails unless the files built from sql/reports/<report>.sql (`make reports`: the Athena named
 * queries, the warehouse report views, the job's report catalog) are present and built from the
 * definitions as they are now. They are build outputs that git does not track, so a fresh clone or
 * an edited definition would otherwise synthesize a pipeline without, or with old, reports.
 */
export function requireCurrentReportOutputs(repoRoot: string = REPO_ROOT): void {
  const indexFile = path.join(repoRoot, REPORT_OUTPUTS_INDEX);
  if (!fs.existsSync(indexFile)) {
    throw new Error(
      `${REPORT_OUTPUTS_INDEX} not found: the report queries, views and the job's report catalog are built ` +
        `from ${REPORT_DEFINITIONS_DIR}/*.sql and not kept in git; ${FIX}`,
    );
  }
  const indexed = (JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { reports: IndexedReport[] }).reports;
  const builtFrom = new Map(indexed.map((report) => [report.name, report.sourceSha256]));
  const definitionsDir = path.join(repoRoot, REPORT_DEFINITIONS_DIR);
  const definitions = fs
    .readdirSync(definitionsDir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => ({ name: file.slice(0, -'.sql'.length), file: path.join(definitionsDir, file) }));
  const stale = definitions
    .filter(({ name, file }) => builtFrom.get(name) !== sha256(file))
    .map(({ name }) => `${REPORT_DEFINITIONS_DIR}/${name}.sql`);
  const gone = indexed
    .filter((report) => !definitions.some((d) => d.name === report.name))
    .map((r) => r.name);
  if (stale.length > 0 || gone.length > 0) {
    const changed = [...stale, ...gone.map((name) => `${name} (deleted)`)].join(', ');
    throw new Error(`The report files are older than their definitions (${changed}): ${FIX}`);
  }
  const missing = [REPORT_CATALOG_MODULE, ...indexed.map((report) => report.athenaQuery)].filter(
    (file) => !fs.existsSync(path.join(repoRoot, file)),
  );
  if (missing.length > 0) {
    throw new Error(`Built report files are missing (${missing.join(', ')}): ${FIX}`);
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
