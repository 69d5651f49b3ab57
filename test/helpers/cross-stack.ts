import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { stageResourcePrefix } from '../../lib/shared/pipeline-layout';
import { loadStageConfig } from '../../lib/config';
import { buildPipeline, type PipelineStacks } from '../../lib/pipeline-app';
import {
  cdkJsonContext,
  FIXTURE_PLUGIN_DIR,
  loadTemplateJson,
  TEST_OUT_ROOT,
  type TestStage,
} from './synth-pipeline';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<string, { Value: unknown }>;
}

/**
 * What a cross-stack reference in a synthesized template points at: the
 * producer stack's logical id and resource for a
 * `{ "Fn::GetStackOutput": { StackName, OutputName } }` whose output is a Ref
 * or Fn::GetAtt (how CDK's weak cross-stack references render).
 */
export function resolveStackOutput(
  stage: TestStage,
  value: unknown,
): { stackPart: string; logicalId: string; resource: CfnTemplate['Resources'][string] } {
  const ref = (value as { 'Fn::GetStackOutput'?: { StackName: string; OutputName: string } })[
    'Fn::GetStackOutput'
  ];
  if (!ref) throw new Error(`${JSON.stringify(value)} is not a Fn::GetStackOutput reference`);
  const stackPart = ref.StackName.replace(`${stageResourcePrefix(stage)}-`, '');
  const producer = loadTemplateJson(stage, stackPart) as unknown as CfnTemplate;
  const output = producer.Outputs?.[ref.OutputName];
  if (!output) throw new Error(`${ref.StackName} has no output ${ref.OutputName}`);
  const target = output.Value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const logicalId = target.Ref ?? target['Fn::GetAtt']?.[0];
  if (!logicalId)
    throw new Error(`output ${ref.OutputName} is neither a Ref nor a GetAtt: ${JSON.stringify(target)}`);
  const resource = producer.Resources[logicalId];
  if (!resource) throw new Error(`${ref.StackName} has no resource ${logicalId}`);
  return { stackPart, logicalId, resource };
}

/** Resources of a template of one type, by logical id. */
export function resourcesOfType(
  template: unknown,
  type: string,
): [string, CfnTemplate['Resources'][string]][] {
  return Object.entries((template as CfnTemplate).Resources).filter(([, r]) => r.Type === type);
}

/**
 * A string property that may hold references (a dashboard body, a state machine definition) as
 * text: the string itself, or the pieces of its Fn::Join joined, each reference written by `reference`.
 */
export function joinedText(value: unknown, reference: (part: unknown) => string = () => '<ref>'): string {
  const text = value as string | { 'Fn::Join': [string, unknown[]] };
  return typeof text === 'string'
    ? text
    : text['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : reference(part))).join('');
}

/** cdk-nag findings of one stack from the stage's validation report. */
/** cdk-nag findings on one stack ('network', 'storage', ...) of the global test synth's validation report. */
export function globalStackNagFindings(stage: TestStage, part: string): string[] {
  const report = path.join(TEST_OUT_ROOT, stage, 'validation-report.json');
  const reportJson: unknown = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')) : {};
  return nagFindingsOf(reportJson, `${stageResourcePrefix(stage)}-${part}`);
}

export function nagFindingsOf(reportJson: unknown, stackName: string): string[] {
  const report = reportJson as {
    pluginReports?: {
      violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  return (report.pluginReports ?? []).flatMap((plugin) =>
    plugin.violations.flatMap((violation) =>
      violation.violatingConstructs
        .filter((c) => c.constructPath.startsWith(`${stackName}/`) || c.constructPath === stackName)
        .map((c) => `${violation.ruleName} at ${c.constructPath}`),
    ),
  );
}

/** Every `Fn::GetStackOutput` in a template, with where it sits (resource logical id). */
export function stackOutputReferences(
  template: unknown,
): { resource: string; stackName: string; outputName: string }[] {
  const found: { resource: string; stackName: string; outputName: string }[] = [];
  const walk = (value: unknown, resource: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item) => walk(item, resource));
    } else if (typeof value === 'object' && value !== null) {
      const ref = (value as { 'Fn::GetStackOutput'?: { StackName: string; OutputName: string } })[
        'Fn::GetStackOutput'
      ];
      if (ref) {
        found.push({ resource, stackName: ref.StackName, outputName: ref.OutputName });
        return;
      }
      Object.values(value).forEach((item) => walk(item, resource));
    }
  };
  for (const [logicalId, resource] of Object.entries((template as CfnTemplate).Resources)) {
    walk(resource, logicalId);
  }
  return found;
}

export interface PipelineVariantOptions {
  /** Overrides merged over cdk.json's stages.<stage>, section by section. */
  readonly stageOverrides?: Record<string, Record<string, unknown>>;
  /** Changes made to the built stacks before synthesis (what a code change would do). */
  readonly change?: (stacks: PipelineStacks) => void;
}

/** A synthesized variant of the whole pipeline: each stack's template JSON by part name. */
export interface PipelineVariant {
  template(part: string): CfnTemplate;
}

/**
 * Synthesizes every stack of a stage the way bin/app.ts does (without the nag
 * packs), with optional config overrides and changes to the built stacks, in a
 * temporary folder: for comparing the templates a change produces.
 */
export function synthPipelineVariant(
  stage: TestStage,
  options: PipelineVariantOptions = {},
): PipelineVariant {
  const base = cdkJsonContext();
  const stages = structuredClone(base.stages) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [section, values] of Object.entries(options.stageOverrides ?? {})) {
    stages[stage] = { ...stages[stage], [section]: { ...(stages[stage]?.[section] ?? {}), ...values } };
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `pipeline-${stage}-`));
  const app = new App({ outdir, context: { ...base, stages, stage } });
  const config = loadStageConfig((key) => app.node.tryGetContext(key));
  const stacks = buildPipeline(app, config, {
    env: { account: '111111111111', region: 'eu-central-1' },
    pluginDistDir: FIXTURE_PLUGIN_DIR,
  });
  options.change?.(stacks);
  app.synth();
  return {
    template: (part) =>
      JSON.parse(
        fs.readFileSync(path.join(outdir, `${stageResourcePrefix(stage)}-${part}.template.json`), 'utf8'),
      ) as CfnTemplate,
  };
}
