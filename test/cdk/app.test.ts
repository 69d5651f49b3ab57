import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeTemplate } from '../helpers/normalize-template';
import {
  loadTemplateJson,
  PIPELINE_PARTS as PARTS,
  stackNames,
  TEST_OUT_ROOT,
  TEST_STAGES,
} from '../helpers/synth-pipeline';

describe.each(TEST_STAGES)('stage %s', (stage) => {
  it('synthesizes every stack of the pipeline', () => {
    expect(stackNames(stage)).toEqual(PARTS.map((p) => `${stage}-bank-pipeline-${p}`).sort());
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

  it.each(PARTS)('matches the %s snapshot (asset hashes normalised)', (part) => {
    expect(normalizeTemplate(loadTemplateJson(stage, part))).toMatchSnapshot();
  });
});
