import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeTemplate } from '../helpers/normalize-template';
import {
  loadTemplateJson,
  stackNames,
  stageParts,
  TEST_OUT_ROOT,
  TEST_STAGES,
} from '../helpers/synth-pipeline';

/**
 * One reviewable file per stage and stack: __snapshots__/<stage>/<part>.template.json.
 * Regenerate after an intended template change with
 * `npx vitest run test/lib/app.test.ts -u` and review the diff file by file.
 */
const SNAPSHOT_ROOT = path.join(__dirname, '__snapshots__');
const snapshotFile = (stage: string, part: string): string =>
  path.join(SNAPSHOT_ROOT, stage, `${part}.template.json`);

describe.each(TEST_STAGES)('stage %s', (stage) => {
  const parts = stageParts(stage);

  it('synthesizes every stack of the pipeline', () => {
    expect(stackNames(stage)).toEqual(parts.map((p) => `${stage}-bankpipe-${p}`).sort());
  });

  it('passes the CloudFormation validation CDK runs at synth', () => {
    const reportFile = path.join(TEST_OUT_ROOT, stage, 'validation-report.json');
    const report = fs.existsSync(reportFile)
      ? (JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
          pluginReports: { pluginName: string; conclusion: string }[];
        })
      : { pluginReports: [] };
    const failed = report.pluginReports.filter((p) => p.conclusion !== 'success').map((p) => p.pluginName);
    expect(failed).toEqual([]);
  });

  it.each(parts)('matches the %s snapshot (asset hashes normalised)', async (part) => {
    const text = `${JSON.stringify(normalizeTemplate(loadTemplateJson(stage, part)), null, 2)}\n`;
    await expect(text).toMatchFileSnapshot(snapshotFile(stage, part));
  });

  it('keeps no snapshot of a stack the pipeline no longer has', () => {
    const folder = path.join(SNAPSHOT_ROOT, stage);
    const files = fs.existsSync(folder) ? fs.readdirSync(folder).sort() : [];
    const expected = parts.map((part) => path.basename(snapshotFile(stage, part)));
    expect(
      files.filter((file) => !expected.includes(file)),
      `delete these from ${folder}`,
    ).toEqual([]);
  });
});
