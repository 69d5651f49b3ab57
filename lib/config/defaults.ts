import { defaultOf, type Setting } from './setting';
import type { StageSettings } from './stage-config';
import { STAGE_SETTINGS } from './stage-settings';

export type { StageSettings } from './stage-config';

/**
 * What every stage gets for the keys cdk.json `context.stages.<name>` leaves
 * out: each schema entry's default (stage-settings.ts says why there is one
 * default per key and where stages differ).
 */
export function defaultStageSettings(stage: string): StageSettings {
  const sections = Object.entries(STAGE_SETTINGS).map(([section, entries]) => [
    section,
    Object.fromEntries(
      Object.entries(entries as Record<string, Setting<unknown>>).map(([key, entry]) => [
        key,
        defaultOf(entry, stage),
      ]),
    ),
  ]);
  return Object.fromEntries(sections) as StageSettings;
}
