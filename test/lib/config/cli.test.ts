import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

/** Runs bin/app.ts the way the cdk CLI does: context arrives in CDK_CONTEXT_JSON. */
function runApp(context: Record<string, unknown>): { status: number | null; stderr: string } {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const result = spawnSync(tsx, ['bin/app.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: path.join(REPO_ROOT, 'cdk.out.test', 'cli'),
    },
    encoding: 'utf8',
  });
  return { status: result.status, stderr: result.stderr };
}

describe('bin/app.ts with bad config', () => {
  it('stops with the key and the fix, and no stack trace', () => {
    const { status, stderr } = runApp({ ...cdkJsonContext(), stage: 'qa' });
    expect(status).toBe(1);
    expect(stderr).toContain(`Invalid configuration 'stage': unknown stage "qa"`);
    expect(stderr).toContain('Fix: pass -c stage=dev');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses to synth prod without EMR in-transit certificates, naming the key and the fix', () => {
    const context = (
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
        context: Record<string, unknown>;
      }
    ).context;
    const { status, stderr } = runApp({ ...context, stage: 'prod' });
    expect(status).toBe(1);
    expect(stderr).toContain("Invalid configuration 'stages.prod.processing.emrTlsCertificatesZipKey'");
    expect(stderr).toContain('privateKey.pem, certificateChain.pem and trustedCertificates.pem');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('names a bad prod alarm email given on the command line', () => {
    const { status, stderr } = runApp({ ...cdkJsonContext(), stage: 'prod', alarmEmail: 'oncall' });
    expect(status).toBe(1);
    expect(stderr).toContain("Invalid configuration 'stages.prod.monitoring.alarmEmail'");
  });
});
