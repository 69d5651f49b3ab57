import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_INDEX, loadReportIndex, reportNamed, warehouseView } from '../../local/pipeline/reports';
import { REPO_ROOT } from '../../lib/shared/repo-root';

const DEFINITIONS = path.join(REPO_ROOT, 'sql', 'reports');

describe('the twin reads the report list from the generated index', () => {
  const index = loadReportIndex(REPO_ROOT);

  it('lists exactly the definition files of sql/reports', () => {
    const files = fs
      .readdirSync(DEFINITIONS)
      .filter((f) => f.endsWith('.sql'))
      .map((f) => f.replace(/\.sql$/, ''))
      .sort();
    expect(index.map((r) => r.name)).toEqual(files);
  });

  it('points at a generated Athena query and, for SQL reports, a warehouse view file', () => {
    const redshift = fs.readdirSync(path.join(REPO_ROOT, 'sql', 'redshift')).join('\n');
    for (const report of index) {
      expect(fs.existsSync(path.join(REPO_ROOT, report.athenaQuery)), report.athenaQuery).toBe(true);
      if (report.warehouseView !== null) {
        expect(report.warehouseView).toBe(`banking.v_${report.name}`);
        expect(redshift).toMatch(new RegExp(`^1\\d\\d_report_${report.name}\\.sql$`, 'm'));
      }
    }
  });

  it('refuses a report name the definitions do not have, naming the fix', () => {
    expect(() => reportNamed(index, 'no_such_report')).toThrow(/sql\/reports\/no_such_report\.sql/);
    const fromModules = index.filter((r) => r.warehouseView === null);
    expect(fromModules.length).toBeGreaterThan(0);
    for (const report of fromModules) {
      expect(() => warehouseView(index, report.name)).toThrow(/no warehouse view/);
    }
  });

  it('says how to create a missing index', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'report-index-'));
    try {
      expect(() => loadReportIndex(empty)).toThrow(new RegExp(`${REPORT_INDEX}.*make reports`));
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
