import { isDeepStrictEqual } from 'node:util';
import { defaultOf, type Setting } from './setting';
import { STAGE_SETTINGS } from './stage-settings';

/** The `stages` block of cdk.json's context: per stage, per section, the keys it overrides. */
export type StageOverrides = Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>
>;

/**
 * The keys of cdk.json `context.stages` that set a value equal to the schema's
 * default, as `stages.<stage>.<section>.<key>`. cdk.json holds only what a
 * stage does differently, so that reading a stage's block tells its
 * differences and a changed default reaches every stage that does not
 * override it. Keys the schema does not know are left to the loader, which
 * refuses them.
 */
export function overridesEqualToDefaults(stages: StageOverrides): string[] {
  const schema = STAGE_SETTINGS as Record<string, Record<string, Setting<unknown>>>;
  const repeated: string[] = [];
  for (const [stage, sections] of Object.entries(stages)) {
    for (const [section, values] of Object.entries(sections)) {
      for (const [key, value] of Object.entries(values)) {
        const entry = schema[section]?.[key];
        if (entry !== undefined && isDeepStrictEqual(value, defaultOf(entry, stage))) {
          repeated.push(`stages.${stage}.${section}.${key}`);
        }
      }
    }
  }
  return repeated;
}
