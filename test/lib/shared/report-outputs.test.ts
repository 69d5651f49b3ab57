import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  REPORT_CATALOG_MODULE,
  REPORT_DEFINITIONS_DIR,
  REPORT_OUTPUTS_INDEX,
  requireCurrentReportOutputs,
} from '../../../lib/shared/report-outputs';

const DEFINITION = '-- Rows per day.\n-- grain: txn_date\nSELECT txn_date FROM transactions\n';
const roots: string[] = [];

/** A repository holding one report definition and, unless told otherwise, its built outputs. */
function repoWithOneReport(options: { builtFrom?: string; withQuery?: boolean; withIndex?: boolean } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'report-outputs-'));
  roots.push(root);
  const write = (relative: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), text);
  };
  write(path.join(REPORT_DEFINITIONS_DIR, 'daily.sql'), DEFINITION);
  write(REPORT_CATALOG_MODULE, 'REPORT_CATALOG = ()\n');
  if (options.withQuery ?? true) write('sql/athena/daily.sql', '-- Rows per day.\nSELECT 1');
  const sourceSha256 = createHash('sha256')
    .update(options.builtFrom ?? DEFINITION)
    .digest('hex');
  const index = { reports: [{ name: 'daily', athenaQuery: 'sql/athena/daily.sql', sourceSha256 }] };
  if (options.withIndex ?? true) write(REPORT_OUTPUTS_INDEX, JSON.stringify(index));
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

describe('the files built from sql/reports are required at synth', () => {
  it('accepts outputs built from the definitions as they are', () => {
    expect(() => requireCurrentReportOutputs(repoWithOneReport())).not.toThrow();
  });

  it('accepts the outputs of this repository (make setup built them)', () => {
    expect(() => requireCurrentReportOutputs()).not.toThrow();
  });

  it('says how to build them when they are missing', () => {
    expect(() => requireCurrentReportOutputs(repoWithOneReport({ withIndex: false }))).toThrow(
      /sql\/reports\/index\.json not found.*run `make reports`/,
    );
  });

  it('names the definition changed since the build', () => {
    const root = repoWithOneReport({ builtFrom: 'an older definition' });
    expect(() => requireCurrentReportOutputs(root)).toThrow(
      /older than their definitions \(sql\/reports\/daily\.sql\): run `make reports`/,
    );
  });

  it('names a built file that is gone', () => {
    expect(() => requireCurrentReportOutputs(repoWithOneReport({ withQuery: false }))).toThrow(
      /missing \(sql\/athena\/daily\.sql\): run `make reports`/,
    );
  });
});
