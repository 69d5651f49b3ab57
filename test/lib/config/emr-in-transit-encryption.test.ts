import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emrInTransitEncryptionWarning, loadStageConfig } from '../../../lib/config';
import { FIXTURE_EMR_TLS_ZIP_KEY } from '../../fixtures/emr-tls-fixture';
import { REPO_ROOT } from '../../../lib/shared/repo-root';
import { loadErrorOf } from '../../helpers/config-error';

const SETTING = 'processing.emrTlsCertificatesZipKey';

/** cdk.json's own context (no test fixture), with one stage's processing section patched. */
function cdkJsonWith(stage: string, processing: Record<string, unknown> = {}): (key: string) => unknown {
  const context = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    }
  ).context;
  const stages = structuredClone(context.stages) as Record<string, Record<string, Record<string, unknown>>>;
  const settings = stages[stage] ?? {};
  settings.processing = { ...(settings.processing ?? {}), ...processing };
  stages[stage] = settings;
  const patched: Record<string, unknown> = { ...context, stages, stage };
  return (key) => patched[key];
}

describe('EMR in-transit encryption certificates', () => {
  it('makes prod refuse to load without them, naming the key and how to produce the PEM zip', () => {
    const error = loadErrorOf(cdkJsonWith('prod'));
    expect(error.key).toBe(`stages.prod.${SETTING}`);
    expect(error.message).toContain(`Invalid configuration 'stages.prod.${SETTING}'`);
    expect(error.message).toMatch(/Spark traffic between the cluster nodes would be unencrypted/);
    for (const file of ['privateKey.pem', 'certificateChain.pem', 'trustedCertificates.pem']) {
      expect(error.message).toContain(file);
    }
    expect(error.message).toContain('*.<region>.compute.internal');
  });

  it('loads prod with a certificate zip key and turns the warning off', () => {
    const config = loadStageConfig(
      cdkJsonWith('prod', { emrTlsCertificatesZipKey: FIXTURE_EMR_TLS_ZIP_KEY }),
    );
    expect(config.processing.emrTlsCertificatesZipKey).toBe(FIXTURE_EMR_TLS_ZIP_KEY);
    expect(emrInTransitEncryptionWarning(config)).toBeUndefined();
  });

  it('lets dev load without them, with a warning that names the key and the fix', () => {
    const config = loadStageConfig(cdkJsonWith('dev'));
    expect(config.processing.emrTlsCertificatesZipKey).toBeUndefined();
    const warning = emrInTransitEncryptionWarning(config);
    expect(warning).toContain(`stages.dev.${SETTING}`);
    expect(warning).toContain('privateKey.pem');
  });

  it.each([
    ['a leading slash', '/emr-tls/emr-tls.zip'],
    ['a name that is not a zip', 'emr-tls/certs.tar'],
    ['blanks', 'emr tls/emr-tls.zip'],
  ])('rejects a key with %s', (_, key) => {
    const error = loadErrorOf(cdkJsonWith('dev', { emrTlsCertificatesZipKey: key }));
    expect(error.key).toBe(`stages.dev.${SETTING}`);
    expect(error.message).toMatch(/is not the key of a zip in the artifacts bucket/);
  });

  it('rejects a key that is not a string', () => {
    const error = loadErrorOf(cdkJsonWith('dev', { emrTlsCertificatesZipKey: 42 }));
    expect(error.key).toBe(`stages.dev.${SETTING}`);
  });
});
