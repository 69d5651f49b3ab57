import * as fs from 'node:fs';
import { PROJECT_SLUG } from '../shared/pipeline-layout';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { StageConfig } from '../config';
import { buildPipeline } from '../pipeline-app';

/** What the stage's synthesized templates ask of the account, read from the templates themselves. */
export interface StageRequirements {
  /** SSM parameter holding the bootstrap version, e.g. `/cdk-bootstrap/hnb659fds/version` (has the qualifier). */
  readonly bootstrapParameterName: string;
  /** Lowest bootstrap stack version every template and asset manifest accepts. */
  readonly minimumBootstrapVersion: number;
  /** Every function with reserved concurrency, by stack and logical id. */
  readonly reservedConcurrency: readonly ReservedFunction[];
}

export interface ReservedFunction {
  readonly stack: string;
  readonly logicalId: string;
  readonly reserved: number;
}

/**
 * Synthesizes every stack of the stage in-process, as `cdk synth` does (the
 * same buildPipeline and config), into a throw-away folder. Lambda bundling is
 * skipped (`aws:cdk:bundling-stacks` empty, as `cdk deploy --exclusively` does
 * for other stacks) and the nag packs are not applied: neither changes the
 * bootstrap rule nor the reserved concurrency, and both are slow.
 */
export function synthStageRequirements(
  context: Record<string, unknown>,
  config: StageConfig,
  env?: Environment,
): StageRequirements {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `${PROJECT_SLUG}-preflight-`));
  try {
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    buildPipeline(app, config, { env });
    return readStageRequirements(app.synth());
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

interface TemplateJson {
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
  readonly Rules?: Record<string, { readonly Assertions?: readonly { readonly Assert?: unknown }[] }>;
  readonly Resources?: Record<
    string,
    { readonly Type?: string; readonly Properties?: Record<string, unknown> }
  >;
}

/** Reads the requirements out of a synthesized assembly (exported for tests). */
export function readStageRequirements(assembly: CloudAssembly): StageRequirements {
  const parameterNames = new Set<string>();
  const versions: number[] = [];
  const reservedConcurrency: ReservedFunction[] = [];

  for (const stack of assembly.stacks) {
    const template = stack.template as TemplateJson;
    const parameter = template.Parameters?.BootstrapVersion?.Default;
    if (typeof parameter === 'string') parameterNames.add(parameter);
    const ruleMinimum = minimumFromBootstrapRule(template);
    if (ruleMinimum !== undefined) versions.push(ruleMinimum);
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const reserved = resource.Properties?.ReservedConcurrentExecutions;
      if (resource.Type === 'AWS::Lambda::Function' && typeof reserved === 'number') {
        reservedConcurrency.push({ stack: stack.stackName, logicalId, reserved });
      }
    }
  }
  // The CLI checks these too before it deploys (stack and asset manifests).
  for (const artifact of assembly.artifacts) {
    const properties = artifact.manifest.properties as
      { requiresBootstrapStackVersion?: unknown } | undefined;
    if (typeof properties?.requiresBootstrapStackVersion === 'number') {
      versions.push(properties.requiresBootstrapStackVersion);
    }
  }

  if (parameterNames.size !== 1 || versions.length === 0) {
    throw new Error(
      `the synthesized templates name ${parameterNames.size} bootstrap version parameters ` +
        `(${[...parameterNames].join(', ') || 'none'}) and ${versions.length} version requirements; ` +
        'expected one parameter and at least one requirement (is a custom synthesizer in use?)',
    );
  }
  return {
    bootstrapParameterName: [...parameterNames][0] as string,
    minimumBootstrapVersion: Math.max(...versions),
    reservedConcurrency,
  };
}

/**
 * CDK's `CheckBootstrapVersion` rule asserts `Fn::Not [Fn::Contains [[<too old versions>], Ref BootstrapVersion]]`:
 * the lowest accepted version is one above the highest rejected one.
 */
function minimumFromBootstrapRule(template: TemplateJson): number | undefined {
  let minimum: number | undefined;
  for (const assertion of template.Rules?.CheckBootstrapVersion?.Assertions ?? []) {
    const rejected = rejectedVersions(assertion.Assert);
    if (rejected.length > 0) minimum = Math.max(minimum ?? 0, Math.max(...rejected) + 1);
  }
  return minimum;
}

function rejectedVersions(assert: unknown): number[] {
  const not = (assert as { 'Fn::Not'?: unknown[] } | undefined)?.['Fn::Not'];
  const contains = (not?.[0] as { 'Fn::Contains'?: unknown[] } | undefined)?.['Fn::Contains'];
  const list = contains?.[0];
  return Array.isArray(list) ? list.map(Number).filter(Number.isInteger) : [];
}

export function totalReserved(functions: readonly ReservedFunction[]): number {
  return functions.reduce((sum, f) => sum + f.reserved, 0);
}
