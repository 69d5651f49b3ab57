import { loadTemplateJson, type TestStage } from './synth-pipeline';

interface CfnTemplate {
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
  const stackPart = ref.StackName.replace(`${stage}-bank-pipeline-`, '');
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

/** cdk-nag findings of one stack from the stage's validation report. */
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
