import { ConfigError } from './config-error';
import { defaultStageSettings, type StageSettings } from './defaults';
import type { JsonType, Setting } from './setting';
import type { StageConfig } from './stage-config';
import { STAGE_SETTINGS } from './stage-settings';
import { validateStageConfig } from './validate-stage-config';

/** Reads one context value; `app.node.tryGetContext` in the app, a plain map in tests. */
export type ContextReader = (key: string) => unknown;

/**
 * Builds the validated config of the stage chosen with `-c stage=<name>`:
 * the schema's defaults (stage-settings.ts), overlaid with `stages.<name>`
 * from cdk.json, overlaid with the few per-invocation flags (`allowDestroy`,
 * `alarmEmail`).
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
  const settings = overlayStageSettings(defaultStageSettings(stage), overrides, `stages.${stage}`);

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
 * Overlays one stage's cdk.json sections on the defaults, refusing sections
 * and keys the schema does not have (a typo in cdk.json must stop synth, not be
 * silently ignored) and values of the wrong JSON type. A key set to undefined
 * (only possible from code, e.g. tests) leaves an optional setting unset.
 */
function overlayStageSettings(
  defaults: StageSettings,
  overrides: Record<string, unknown>,
  path: string,
): StageSettings {
  const merged: Record<string, Record<string, unknown>> = { ...defaults };
  const schema = STAGE_SETTINGS as Record<string, Record<string, Setting<unknown>>>;
  for (const [sectionName, sectionOverrides] of Object.entries(overrides)) {
    const sectionPath = `${path}.${sectionName}`;
    const section = schema[sectionName];
    if (section === undefined) {
      throw unknownSetting(sectionPath, Object.keys(schema));
    }
    if (!isPlainObject(sectionOverrides)) {
      throw new ConfigError(
        sectionPath,
        `expected an object, got ${JSON.stringify(sectionOverrides)}`,
        `write it as { ${Object.keys(section).join(', ')} }`,
      );
    }
    const values: Record<string, unknown> = { ...merged[sectionName] };
    for (const [name, value] of Object.entries(sectionOverrides)) {
      const entry = section[name];
      if (entry === undefined) {
        throw unknownSetting(`${sectionPath}.${name}`, Object.keys(section));
      }
      requireJsonType(`${sectionPath}.${name}`, value, entry.jsonType);
      values[name] = value;
    }
    merged[sectionName] = values;
  }
  return merged as unknown as StageSettings;
}

function unknownSetting(keyPath: string, known: readonly string[]): ConfigError {
  return new ConfigError(keyPath, 'is not a known setting', `remove it or use one of: ${known.join(', ')}`);
}

/** Refuses a number, string or boolean setting given another JSON type; lists are checked by their own rule. */
function requireJsonType(keyPath: string, value: unknown, jsonType: JsonType): void {
  if (value === undefined || jsonType === 'list' || typeof value === jsonType) return;
  throw new ConfigError(
    keyPath,
    `expected a ${jsonType}, got ${JSON.stringify(value)}`,
    `set it to a ${jsonType}`,
  );
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
