import * as fs from 'node:fs';
import * as path from 'node:path';

/** One resource of a synthesized CloudFormation template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized template, as far as the cost estimate reads it. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
}

/** The templates of one stage, by stack name. */
export type StageTemplates = Readonly<Record<string, CfnTemplate>>;

/** Reads every `<stage>-*.template.json` of a cloud assembly folder (cdk.out, cdk.out.test/<stage>). */
export function readStageTemplates(assemblyDir: string, stage: string): StageTemplates {
  const files = fs
    .readdirSync(assemblyDir)
    .filter((file) => file.startsWith(`${stage}-`) && file.endsWith('.template.json'));
  if (files.length === 0) {
    throw new Error(`no ${stage}-*.template.json in ${assemblyDir}: synthesize the stage first`);
  }
  return Object.fromEntries(
    files.map((file) => [
      file.replace(/\.template\.json$/, ''),
      JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8')) as CfnTemplate,
    ]),
  );
}

/** Every resource of a type across the stage's stacks. */
export function resourcesOfType(templates: StageTemplates, type: string): CfnResource[] {
  return Object.values(templates).flatMap((template) =>
    Object.values(template.Resources ?? {}).filter((resource) => resource.Type === type),
  );
}

/** Stands for an intrinsic (Ref, Fn::GetAtt, ...) inside a joined string: the estimate never needs its value. */
export const TOKEN = 'TOKEN';

/**
 * A string property as text: a plain string as is, an `Fn::Join` with its
 * intrinsic parts replaced by TOKEN (enough to parse a state machine
 * definition or read a service name); anything else is TOKEN.
 */
export function flattenString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value) && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => (typeof part === 'string' ? part : TOKEN)).join(separator);
  }
  return TOKEN;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A numeric property, or `fallback` when it is absent or an intrinsic. */
export function numberProperty(value: unknown, fallback: number): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return fallback;
}
