import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAcknowledgements } from '../../helpers/synth-data-services';
import { TEST_OUT_ROOT, TEST_STAGES } from '../../helpers/synth-pipeline';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

describe.each(TEST_STAGES)('cdk-nag on stage %s', (stage) => {
  it('reports zero unacknowledged findings from AwsSolutions and PCI DSS 3.2.1', () => {
    const reportFile = path.join(TEST_OUT_ROOT, stage, 'validation-report.json');
    const findings: string[] = [];
    if (fs.existsSync(reportFile)) {
      const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as ValidationReport;
      for (const plugin of report.pluginReports) {
        for (const violation of plugin.violations) {
          for (const construct of violation.violatingConstructs) {
            findings.push(`${violation.ruleName} at ${construct.constructPath}: ${violation.description}`);
          }
        }
      }
    }
    expect(findings).toEqual([]);
  });

  it('acknowledges findings only on single resources, each with a specific reason', () => {
    const acks = readAcknowledgements(path.join(TEST_OUT_ROOT, stage));
    const stackLevel = acks.filter((a) => a.path.split('/').filter(Boolean).length < 2);
    expect(stackLevel, 'acknowledgements on a whole stack or app hide future findings').toEqual([]);
    const vague = acks.filter((a) => a.reason.trim().length < 40);
    expect(vague, 'each acknowledgement needs a reason specific to its resource').toEqual([]);
  });
});
