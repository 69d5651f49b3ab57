import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStageConfig, type StageConfig } from '../../../lib/config';
import { RUN_STATES } from '../../../lib/orchestration/orchestration-run-state-machine';
import { joinedText, resourcesOfType } from '../../helpers/cross-stack';
import {
  cdkJsonContext,
  loadTemplateJson,
  stackNames,
  TEST_STAGES,
  type TestStage,
} from '../../helpers/synth-pipeline';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

/**
 * The synthesized templates deploy exactly the runtimes declared in
 * lib/config/aws-runtimes.json. The file is read here as plain JSON (not
 * through the app's loader), so a loader that picked the wrong field fails too.
 */
interface DeclaredRuntimes {
  emr: { releases: Record<string, { spark: string; python: string; pythonInterpreter: string }> };
  glue: { version: string };
  lambda: { nodejsRuntime: string };
  msk: { kafkaVersion: string };
  mskConnect: { kafkaConnectVersion: string };
}
const DECLARED = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'lib', 'config', 'aws-runtimes.json'), 'utf8'),
) as DeclaredRuntimes;

/**
 * Lambdas CDK itself adds, by logical id: the BucketDeployment handler (Python),
 * the custom-resource provider handlers and the provider framework. CDK picks
 * their runtime and no prop sets it (cdk-nag L1 is acknowledged where it lags);
 * every other function is the app's own and must run the declared runtime.
 */
const CDK_PROVIDED_FUNCTION = [
  /^CustomCDKBucketDeployment/,
  /^Custom\w+CustomResourceProviderHandler/,
  /^AWS679f53fac002430cb0da5b7982bd2287/,
  /Providerframework/,
];

interface EmrConfiguration {
  Classification: string;
  Properties?: Record<string, string>;
  Configurations?: EmrConfiguration[];
}

function stageConfig(stage: string): StageConfig {
  const context: Record<string, unknown> = { ...cdkJsonContext(), stage };
  return loadStageConfig((key) => context[key]);
}

/**
 * The state machine's definition as JSON. References (Ref, GetAtt, stack
 * outputs) only ever sit inside JSON strings there, so each becomes a plain
 * placeholder and the joined text parses.
 */
function stateMachineDefinition(stage: TestStage): {
  States: Record<string, { Parameters?: Record<string, unknown> }>;
} {
  const machines = resourcesOfType(
    loadTemplateJson(stage, 'orchestration'),
    'AWS::StepFunctions::StateMachine',
  );
  expect(machines).toHaveLength(1);
  return JSON.parse(joinedText(machines[0][1].Properties?.DefinitionString)) as {
    States: Record<string, { Parameters?: Record<string, unknown> }>;
  };
}

/** The value a classification path exports, e.g. spark-env > export > PYSPARK_PYTHON. */
function exported(configurations: EmrConfiguration[], classification: string, variable: string): string[] {
  return configurations
    .filter((c) => c.Classification === classification)
    .flatMap((c) => c.Configurations ?? [])
    .filter((c) => c.Classification === 'export')
    .flatMap((c) => (c.Properties?.[variable] === undefined ? [] : [c.Properties[variable]]));
}

describe.each(TEST_STAGES)('declared AWS runtimes in the %s templates', (stage) => {
  const config = stageConfig(stage);

  it('creates the run cluster with a declared release and PYSPARK_PYTHON set to its declared interpreter', () => {
    const params = stateMachineDefinition(stage).States[RUN_STATES.createCluster].Parameters ?? {};
    const releaseLabel = params.ReleaseLabel as string;
    expect(releaseLabel).toBe(config.processing.emrReleaseLabel);
    const release = DECLARED.emr.releases[releaseLabel];
    expect(release, `${releaseLabel} is declared in aws-runtimes.json`).toBeDefined();
    // Exactly one PYSPARK_PYTHON: the spark-env export reaches the driver (YARN AM) and executors.
    expect(exported(params.Configurations as EmrConfiguration[], 'spark-env', 'PYSPARK_PYTHON')).toEqual([
      release.pythonInterpreter,
    ]);
  });

  it('runs the Glue load job on the declared Glue version', () => {
    const jobs = resourcesOfType(loadTemplateJson(stage, 'analytics'), 'AWS::Glue::Job');
    expect(jobs.length).toBeGreaterThan(0);
    for (const [id, job] of jobs) {
      expect(job.Properties?.GlueVersion, id).toBe(DECLARED.glue.version);
    }
  });

  it("runs every one of the app's Lambdas, in every stack, on the declared Node.js runtime", () => {
    const own: string[] = [];
    for (const stack of stackNames(stage)) {
      const part = stack.replace(`${stage}-bankpipe-`, '');
      for (const [id, fn] of resourcesOfType(loadTemplateJson(stage, part), 'AWS::Lambda::Function')) {
        const runtime = fn.Properties?.Runtime;
        if (CDK_PROVIDED_FUNCTION.some((pattern) => pattern.test(id))) {
          expect(runtime, `${stack}/${id} (CDK-provided)`).toMatch(/^(nodejs\d+\.x|python3\.\d+)$/);
          continue;
        }
        expect(runtime, `${stack}/${id}`).toBe(DECLARED.lambda.nodejsRuntime);
        own.push(id);
      }
    }
    // Four run Lambdas, the topic handler and the schema handler at least: the filter must not hide them.
    expect(own.length).toBeGreaterThanOrEqual(6);
  });

  it('deploys MSK with the declared Kafka version and connectors on the declared Kafka Connect version', () => {
    const streaming = loadTemplateJson(stage, 'streaming');
    const clusters = resourcesOfType(streaming, 'AWS::MSK::Cluster');
    expect(clusters).toHaveLength(1);
    expect(config.streaming.kafkaVersion).toBe(DECLARED.msk.kafkaVersion);
    expect(clusters[0][1].Properties?.KafkaVersion).toBe(DECLARED.msk.kafkaVersion);
    const connectors = resourcesOfType(streaming, 'AWS::KafkaConnect::Connector');
    expect(connectors.length).toBeGreaterThan(0);
    for (const [id, connector] of connectors) {
      expect(connector.Properties?.KafkaConnectVersion, id).toBe(DECLARED.mskConnect.kafkaConnectVersion);
    }
  });
});
