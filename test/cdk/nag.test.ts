import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_OUT_ROOT, TEST_STAGES } from '../helpers/synth-pipeline';

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; description: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

interface Acknowledgement {
  path: string;
  ruleId: string;
  reason: string;
}

/** Acknowledgements recorded by Validations.of(x).acknowledge, read from the stacks' metadata. */
function acknowledgements(stage: string): Acknowledgement[] {
  const outdir = path.join(TEST_OUT_ROOT, stage);
  const found: Acknowledgement[] = [];
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.metadata.json'))) {
    const metadata = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8')) as Record<
      string,
      { type: string; data: unknown }[]
    >;
    for (const [constructPath, entries] of Object.entries(metadata)) {
      for (const entry of entries.filter((e) => e.type === 'aws:cdk:acknowledged-rules')) {
        for (const [ruleId, reason] of Object.entries(entry.data as Record<string, string>)) {
          found.push({ path: constructPath, ruleId, reason });
        }
      }
    }
  }
  return found;
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
    const acks = acknowledgements(stage);
    const stackLevel = acks.filter((a) => a.path.split('/').filter(Boolean).length < 2);
    expect(stackLevel, 'acknowledgements on a whole stack or app hide future findings').toEqual([]);
    const vague = acks.filter((a) => a.reason.trim().length < 40);
    expect(vague, 'each acknowledgement needs a reason specific to its resource').toEqual([]);
  });
});
