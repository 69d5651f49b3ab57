import { ConfigError } from './config-error';
import { defaultStageSettings, type StageSettings } from './defaults';
import type { StageConfig } from './stage-config';
import { validateStageConfig } from './validate-stage-config';

/** Reads one context value; `app.node.tryGetContext` in the app, a plain map in tests. */
export type ContextReader = (key: string) => unknown;

/**
 * Builds the validated config of the stage chosen with `-c stage=<name>`:
 * defaults, overlaid with `stages.<name>` from cdk.json, overlaid with the
 * few per-invocation flags (`allowDestroy`, `alarmEmail`).
 */
export function loadStageConfig(readContext: ContextReader): StageConfig {
  const stages = readContext('stages');
  if (!isPlainObject(stages)) {
    throw new ConfigError(
      'stages',
      'cdk.json has no "stages" object in its context',
      'restore the "stages" block in cdk.json',
    );
  }
  const stage = readContext('stage') ?? 'dev';
  const known = Object.keys(stages);
  if (typeof stage !== 'string' || !known.includes(stage)) {
    throw new ConfigError(
      'stage',
      `unknown stage ${JSON.stringify(stage)}; known stages are ${known.join(', ')}`,
      `pass -c stage=${known[0] ?? 'dev'} or add "stages.${String(stage)}" to cdk.json`,
    );
  }

  const overrides = stages[stage];
  if (!isPlainObject(overrides)) {
    throw new ConfigError(
      `stages.${stage}`,
      'is not an object',
      'make it an object of section overrides, e.g. { "network": { ... } }',
    );
  }
  const settings = mergeKnownKeys(defaultStageSettings(stage), overrides, `stages.${stage}`) as StageSettings;

  const alarmEmail = readContext('alarmEmail');
  const config: StageConfig = {
    ...settings,
    stage,
    allowDestroy: parseBooleanFlag('allowDestroy', readContext('allowDestroy')),
    monitoring:
      typeof alarmEmail === 'string' && alarmEmail !== ''
        ? { ...settings.monitoring, alarmEmail }
        : settings.monitoring,
  };
  validateStageConfig(config);
  return config;
}

/**
 * Deep-merges overrides into defaults, refusing keys the defaults do not have:
 * a typo in cdk.json must stop synth, not be silently ignored.
 */
function mergeKnownKeys(
  defaults: Record<string, unknown>,
  overrides: Record<string, unknown>,
  path: string,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...defaults };
  for (const [name, value] of Object.entries(overrides)) {
    const keyPath = `${path}.${name}`;
    if (!(name in defaults)) {
      throw new ConfigError(
        keyPath,
        'is not a known setting',
        `remove it or use one of: ${Object.keys(defaults).join(', ')}`,
      );
    }
    const base = defaults[name];
    if (isPlainObject(base)) {
      if (!isPlainObject(value)) {
        throw new ConfigError(
          keyPath,
          `expected an object, got ${JSON.stringify(value)}`,
          `write it as { ${Object.keys(base).join(', ')} }`,
        );
      }
      merged[name] = mergeKnownKeys(base, value, keyPath);
    } else {
      if (base !== undefined && value !== undefined && typeof base !== typeof value) {
        throw new ConfigError(
          keyPath,
          `expected a ${typeof base}, got ${JSON.stringify(value)}`,
          `set it to a ${typeof base}`,
        );
      }
      merged[name] = value;
    }
  }
  return merged;
}

function parseBooleanFlag(key: string, value: unknown): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ConfigError(
    key,
    `${JSON.stringify(value)} is not a boolean`,
    `pass -c ${key}=true or leave it out`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
