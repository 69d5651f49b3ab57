#!/usr/bin/env node
/**
 * `make config-docs`: writes the README's settings table from the stage
 * settings schema (lib/config/stage-settings.ts) and cdk.json's stages, or
 * with `--check` only compares it and fails when the README and the schema
 * disagree.
 *
 *   npx tsx bin/config-docs.ts [--check]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTINGS_DOCS, sameSettingsDocsSection, settingsDocsSection } from '../lib/config/settings-docs';
import type { StageOverrides } from '../lib/config/stage-overrides';
import { runGenerator, writeOrCheckReadmeSection } from '../lib/shared/readme-generator';
import { REPO_ROOT } from '../lib/shared/repo-root';

async function main(argv: readonly string[]): Promise<number> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: { stages: StageOverrides };
  };
  return writeOrCheckReadmeSection(
    SETTINGS_DOCS,
    settingsDocsSection(cdkJson.context.stages),
    sameSettingsDocsSection,
    argv.includes('--check'),
  );
}

runGenerator(main, () => true);
