import type { Setting } from './setting';
import type { StageConfig } from './stage-config';
import { STAGE_SETTINGS } from './stage-settings';

/**
 * Checks one stage's config against the schema and throws a ConfigError naming
 * the first bad key. Every value is checked alone first, then the cross-key
 * rules run, so that a rule reading another key (brokerCount against maxAzs,
 * the endpoint list against warehouse.kind) can trust that key's value.
 */
export function validateStageConfig(config: StageConfig): void {
  const entries = schemaEntries();
  for (const { section, key, entry } of entries) {
    const value = valueOf(config, section, key);
    if (entry.optional && value === undefined) continue;
    entry.check(settingKey(config.stage, section, key), value);
  }
  for (const { section, key, entry } of entries) {
    entry.crossKeyRule?.check(settingKey(config.stage, section, key), valueOf(config, section, key), config);
  }
}

interface SchemaEntry {
  readonly section: string;
  readonly key: string;
  readonly entry: Setting<unknown>;
}

/** Every schema entry in schema order (the order of the settings table). */
export function schemaEntries(): readonly SchemaEntry[] {
  return Object.entries(STAGE_SETTINGS).flatMap(([section, entries]) =>
    Object.entries(entries as Record<string, Setting<unknown>>).map(([key, entry]) => ({
      section,
      key,
      entry,
    })),
  );
}

/** The full context key of a setting, as errors name it. */
export function settingKey(stage: string, section: string, key: string): string {
  return `stages.${stage}.${section}.${key}`;
}

function valueOf(config: StageConfig, section: string, key: string): unknown {
  return (config as unknown as Record<string, Record<string, unknown>>)[section]?.[key];
}
