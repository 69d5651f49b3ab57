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
import * as prettier from 'prettier';
import {
  currentSettingsDocsSection,
  replaceSettingsDocsSection,
  sameSettingsDocsSection,
  settingsDocsSection,
} from '../lib/config/settings-docs';
import type { StageOverrides } from '../lib/config/stage-overrides';
import { REPO_ROOT } from '../lib/shared/repo-root';

const README = path.join(REPO_ROOT, 'README.md');

async function main(argv: readonly string[]): Promise<number> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: { stages: StageOverrides };
  };
  const section = settingsDocsSection(cdkJson.context.stages);
  const readme = fs.readFileSync(README, 'utf8');
  if (argv.includes('--check')) {
    if (!sameSettingsDocsSection(currentSettingsDocsSection(readme), section)) {
      console.error(
        'README.md settings table differs from lib/config/stage-settings.ts and cdk.json. Fix: run `make config-docs` and commit README.md',
      );
      return 1;
    }
    console.log('README.md settings table matches the schema.');
    return 0;
  }
  // Formatted as `make check` wants it, so writing the section leaves Prettier nothing to change.
  const options = (await prettier.resolveConfig(README)) ?? {};
  fs.writeFileSync(
    README,
    await prettier.format(replaceSettingsDocsSection(readme, section), { ...options, filepath: README }),
  );
  console.log('README.md settings table written.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
