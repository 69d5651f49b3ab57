import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadStageConfig } from '../../../lib/config';
import {
  DEFAULT_EMR_RELEASE_LABEL,
  emrReleaseRuntime,
  GLUE_RUNTIME,
  LAMBDA_NODEJS_ESBUILD_TARGET,
  LAMBDA_NODEJS_RUNTIME,
  minorVersion,
  MSK_CONNECT_VERSION,
  MSK_KAFKA_VERSION,
  SUPPORTED_EMR_RELEASE_LABELS,
} from '../../../lib/config/aws-runtimes';
import { cdkJsonContext } from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

/** The declaration as plain JSON, to check the loader reads the right fields. */
const DECLARED = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'lib', 'config', 'aws-runtimes.json'), 'utf8'),
) as {
  emr: {
    defaultReleaseLabel: string;
    releases: Record<string, { spark: string; python: string; pythonInterpreter: string }>;
  };
  glue: { version: string; spark: string; python: string };
  lambda: { nodejsRuntime: string };
  msk: { kafkaVersion: string };
  mskConnect: { kafkaConnectVersion: string };
};

function loadDevWithRelease(emrReleaseLabel: string): ReturnType<typeof loadStageConfig> {
  const stages = structuredClone(cdkJsonContext().stages) as Record<string, Record<string, unknown>>;
  stages.dev = { ...stages.dev, processing: { emrReleaseLabel } };
  const context: Record<string, unknown> = { ...cdkJsonContext(), stage: 'dev', stages };
  return loadStageConfig((key) => context[key]);
}

describe('aws-runtimes loader', () => {
  it('exposes every declared EMR release with its Spark, Python and interpreter', () => {
    expect(SUPPORTED_EMR_RELEASE_LABELS).toEqual(Object.keys(DECLARED.emr.releases));
    for (const [label, release] of Object.entries(DECLARED.emr.releases)) {
      expect(emrReleaseRuntime(label)).toEqual({
        releaseLabel: label,
        sparkVersion: release.spark,
        pythonVersion: release.python,
        pythonInterpreter: release.pythonInterpreter,
      });
    }
    expect(emrReleaseRuntime('emr-7.0.0')).toBeUndefined();
  });

  it('reads the default release, Glue, MSK and MSK Connect from the declaration', () => {
    expect(DEFAULT_EMR_RELEASE_LABEL).toBe(DECLARED.emr.defaultReleaseLabel);
    expect(GLUE_RUNTIME).toEqual({
      glueVersion: DECLARED.glue.version,
      sparkVersion: DECLARED.glue.spark,
      pythonVersion: DECLARED.glue.python,
    });
    expect(MSK_KAFKA_VERSION).toBe(DECLARED.msk.kafkaVersion);
    expect(MSK_CONNECT_VERSION).toBe(DECLARED.mskConnect.kafkaConnectVersion);
  });

  it("resolves the Lambda runtime to CDK's pinned runtime of that name, and esbuild to its major", () => {
    expect(LAMBDA_NODEJS_RUNTIME.name).toBe(DECLARED.lambda.nodejsRuntime);
    // NODEJS_LATEST shares the name but may move; synth warns about it and the template would drift.
    expect(LAMBDA_NODEJS_RUNTIME.isVariable).toBe(false);
    expect(LAMBDA_NODEJS_ESBUILD_TARGET).toBe(
      DECLARED.lambda.nodejsRuntime.replace(/^nodejs(\d+)\.x$/, 'node$1'),
    );
  });

  it('takes the minor of a version', () => {
    expect(minorVersion('3.11.7')).toBe('3.11');
    expect(minorVersion('3.5')).toBe('3.5');
    expect(() => minorVersion('3')).toThrow(/major\.minor/);
  });
});

describe('stage config and the declared runtimes', () => {
  it('defaults every stage to the declared EMR release and MSK Kafka version', () => {
    const config = loadStageConfig((key) => ({ ...cdkJsonContext(), stage: 'dev' })[key]);
    expect(config.processing.emrReleaseLabel).toBe(DECLARED.emr.defaultReleaseLabel);
    expect(config.streaming.kafkaVersion).toBe(DECLARED.msk.kafkaVersion);
  });

  it.each(Object.keys(DECLARED.emr.releases))('accepts the declared release %s', (label) => {
    expect(loadDevWithRelease(label).processing.emrReleaseLabel).toBe(label);
  });

  it('refuses an undeclared EMR release with the key, the declared releases and the file to add it to', () => {
    // emr-7.0.0 is a real 7.x release, but it installs only Python 3.9: the job cannot run there.
    let caught: unknown;
    try {
      loadDevWithRelease('emr-7.0.0');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.key).toBe('stages.dev.processing.emrReleaseLabel');
    expect(error.message).toContain(
      '"emr-7.0.0" is not an EMR release whose Spark and Python this app declares',
    );
    expect(error.message).toContain(`Fix: use one of ${Object.keys(DECLARED.emr.releases).join(', ')}`);
    expect(error.message).toContain('lib/config/aws-runtimes.json');
  });
});
