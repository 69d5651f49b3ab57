import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  currentSettingsDocsSection,
  replaceSettingsDocsSection,
  sameSettingsDocsSection,
  settingsDocsSection,
} from '../../../lib/config/settings-docs';
import type { StageOverrides } from '../../../lib/config/stage-overrides';
import { REPO_ROOT } from '../../../lib/shared/repo-root';

function cdkJsonStages(): StageOverrides {
  return (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
      context: { stages: StageOverrides };
    }
  ).context.stages;
}

const readme = (): string => fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The table row of one setting in a generated section, split into trimmed cells. */
function rowOf(section: string, key: string): string[] {
  const row = section.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
  if (row === undefined) throw new Error(`no row for ${key}`);
  return row
    .split(' | ')
    .map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim())
    .slice(1);
}

describe("README's settings table", () => {
  it('says what lib/config/stage-settings.ts and cdk.json say (fix: make config-docs)', () => {
    const current = currentSettingsDocsSection(readme());
    expect(current, 'README.md has no <!-- settings:begin --> ... <!-- settings:end --> block').toBeDefined();
    expect(
      sameSettingsDocsSection(current, settingsDocsSection(cdkJsonStages())),
      'README.md settings table differs from the schema. Fix: run `make config-docs` and commit README.md',
    ).toBe(true);
  });

  it('differs from the README once a stage overrides a setting the README shows at its default', () => {
    const stages = structuredClone(cdkJsonStages()) as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    stages.dev = { ...stages.dev, warehouse: { ...stages.dev?.warehouse, databaseName: 'ledger' } };
    expect(sameSettingsDocsSection(currentSettingsDocsSection(readme()), settingsDocsSection(stages))).toBe(
      false,
    );
  });

  it('shows the default, each stage in bold where cdk.json overrides it, the rules and the trade-off', () => {
    const section = settingsDocsSection({
      dev: { network: { natGateways: 0 } },
      prod: { network: { natGateways: 3 }, monitoring: { alarmEmail: 'oncall@bank.example' } },
    });
    const [defaultCell, dev, prod, rule, meaning] = rowOf(section, 'network.natGateways');
    expect([defaultCell, dev, prod]).toEqual(['`1`', '**`0`**', '**`3`**']);
    expect(rule).toBe('whole number 0–3; at most `network.maxAzs`');
    expect(meaning).toMatch(/^NAT gateways .*\. Trade-off: each bills by the hour/);
    expect(rowOf(section, 'network.maxAzs').slice(0, 3)).toEqual(['`3`', '`3`', '`3`']);
    expect(rowOf(section, 'monitoring.alarmEmail').slice(0, 4)).toEqual([
      'unset: no subscription',
      'unset',
      '**`oncall@bank.example`**',
      'an email address; required in prod',
    ]);
    // A default derived from the stage name shows its pattern, and each stage its own value.
    expect(rowOf(section, 'streaming.sftpSecretName')[0]).toMatch(/^`<stage>\//);
    expect(rowOf(section, 'streaming.sftpSecretName')[1]).toMatch(/^`dev\//);
  });

  it('replaces only the marked README section, and refuses a README without the markers', () => {
    const before = '# t\n\nbefore\n<!-- settings:begin -->\nold\n<!-- settings:end -->\nafter\n';
    const section = '<!-- settings:begin -->\nnew\n<!-- settings:end -->';
    expect(replaceSettingsDocsSection(before, section)).toBe(`# t\n\nbefore\n${section}\nafter\n`);
    expect(() => replaceSettingsDocsSection('# t\n', section)).toThrow(/Configuration reference/);
  });
});
