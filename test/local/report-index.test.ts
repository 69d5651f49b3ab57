import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  REPORT_INDEX,
  fraudReport,
  loadReportIndex,
  reportNamed,
  warehouseView,
} from '../../local/pipeline/reports';
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

  it("carries each definition's demo views, on an engine the report has", () => {
    const shown = index.filter((r) => r.demo.length > 0);
    expect(shown.length).toBeGreaterThan(0);
    for (const report of index) {
      for (const view of report.demo) {
        if (view.engine === 'warehouse') expect(report.warehouseView, report.name).not.toBeNull();
        for (const value of view.values) {
          if (value.column !== null) expect(report.columns, report.name).toContain(value.column);
        }
        for (const column of view.by) expect(report.columns, report.name).toContain(column);
      }
    }
  });

  it('finds the report the fraud rules write, and refuses an index with none or two', () => {
    const fraud = fraudReport(index);
    expect(fraud.rowsFrom).not.toBeNull();
    expect(fraud.warehouseView).toBeNull();
    const sqlOnly = index.filter((r) => r.rowsFrom === null);
    expect(() => fraudReport(sqlOnly)).toThrow(/found 0 \(none\).*make reports/);
    expect(() => fraudReport([...index, { ...fraud, name: 'other_flags' }])).toThrow(
      new RegExp(`found 2 \\(${fraud.name}, other_flags\\)`),
    );
  });

  it('refuses an index written before the demo views, naming the fix', () => {
    const old = fs.mkdtempSync(path.join(os.tmpdir(), 'report-index-'));
    try {
      const file = path.join(old, REPORT_INDEX);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const entries = index.map(({ demo: _demo, ...rest }) => rest);
      fs.writeFileSync(file, JSON.stringify({ reports: entries }));
      expect(() => loadReportIndex(old)).toThrow(/lacks demo\/rowsFrom\): run `make reports`/);
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
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
