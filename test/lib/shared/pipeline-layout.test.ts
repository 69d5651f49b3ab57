import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import {
  formatPartition,
  manifestKey,
  PIPELINE_LAYOUT,
  PROJECT_PASCAL_NAME,
  PROJECT_SLUG,
  quarantineRunFolder,
  RAW_HOUR_PREFIX_EXAMPLE,
  RAW_HOUR_PREFIX_PATTERN,
  rawHourPrefix,
  readPipelineLayout,
  SINK_WATERMARK_PREFIX,
  stageResourcePrefix,
  TRANSACTIONS_TOPIC,
} from '../../../lib/shared/pipeline-layout';
import { REPO_ROOT, repoPath } from '../../../lib/shared/repo-root';

const CONTRACTS = repoPath('contracts');
const document = JSON.parse(readFileSync(join(CONTRACTS, 'pipeline-layout.json'), 'utf8')) as {
  slug: string;
  transactionsTopic: string;
  zones: Record<string, Record<string, string>>;
};

function changed(key: string, value: unknown): unknown {
  const copy = structuredClone(document) as unknown as Record<string, unknown>;
  const parts = key.split('.');
  const parent = parts.slice(0, -1).reduce((node, part) => node[part] as Record<string, unknown>, copy);
  parent[parts[parts.length - 1]] = value;
  return copy;
}

describe('pipeline layout', () => {
  it('reads every value of contracts/pipeline-layout.json', () => {
    expect(PIPELINE_LAYOUT).toEqual({
      slug: document.slug,
      transactionsTopic: document.transactionsTopic,
      zones: document.zones,
    });
    expect(TRANSACTIONS_TOPIC).toBe(document.transactionsTopic);
    expect(SINK_WATERMARK_PREFIX).toBe(
      `${document.zones.raw.transactionsPrefix}${document.zones.raw.sinkWatermarkFolder}`,
    );
    expect(manifestKey('run-1')).toBe(`${document.zones.processed.manifestFolder}run-1.json`);
    expect(quarantineRunFolder('run-1')).toBe(
      document.zones.quarantine.runPartition.replace('{runId}', 'run-1'),
    );
  });

  it('is valid against its JSON schema', () => {
    const schema = JSON.parse(readFileSync(join(CONTRACTS, 'pipeline-layout.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true }).compile(schema);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(changed('zones.raw.sinkWatermarkFolder', '/x'))).toBe(false);
  });

  it('derives the slug forms: stage prefix and PascalCase', () => {
    expect(PROJECT_SLUG).toBe(document.slug);
    expect(stageResourcePrefix('dev')).toBe(`dev-${document.slug}`);
    expect(PROJECT_PASCAL_NAME.toLowerCase()).toBe(document.slug);
    expect(PROJECT_PASCAL_NAME[0]).toBe(document.slug[0].toUpperCase());
  });

  it('is the name of the project files that cannot read the layout: npm and Python packages, contract ids', () => {
    const repo = REPO_ROOT;
    const npmPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string };
    expect(npmPackage.name).toBe(PROJECT_SLUG);
    expect(readFileSync(join(repo, 'pyproject.toml'), 'utf8')).toMatch(
      new RegExp(`^name = "${PROJECT_SLUG}-jobs"$`, 'm'),
    );
    for (const file of ['transaction.schema.json', 'fraud-rules.json', 'pipeline-layout.json']) {
      const { $id } = JSON.parse(readFileSync(join(CONTRACTS, file), 'utf8')) as { $id: string };
      expect($id.startsWith(`urn:${PROJECT_SLUG}:contracts:`), `${file}: ${$id}`).toBe(true);
    }
  });

  it('formats an hour prefix zero-padded in UTC, and matches exactly that shape', () => {
    const prefix = rawHourPrefix(new Date(Date.UTC(2024, 4, 1, 9, 59, 59)));
    expect(prefix.startsWith(document.zones.raw.transactionsPrefix)).toBe(true);
    expect(prefix).toMatch(/2024\D+05\D+01\D+09\/$/);
    expect(RAW_HOUR_PREFIX_PATTERN.test(prefix)).toBe(true);
    expect(RAW_HOUR_PREFIX_PATTERN.test(prefix.replace('05', '5'))).toBe(false);
    expect(RAW_HOUR_PREFIX_PATTERN.test(`x/${prefix}`)).toBe(false);
    expect(RAW_HOUR_PREFIX_EXAMPLE).toContain('YYYY');
    expect(formatPartition('h={hour:2}/r={runId}/', { hour: 7, runId: 'a' })).toBe('h=07/r=a/');
    expect(() => formatPartition('r={runId}/', {})).toThrow(/needs a value for \{runId\}/);
  });

  it('refuses a bad layout, naming the key and the rule', () => {
    expect(() => readPipelineLayout(changed('slug', 'Bank-Pipe'))).toThrow(/slug is "Bank-Pipe"/);
    expect(() => readPipelineLayout(changed('zones.processed.manifestFolder', '_manifest'))).toThrow(
      /zones\.processed\.manifestFolder is "_manifest"; it must be a folder/,
    );
    expect(() =>
      readPipelineLayout(changed('zones.raw.hourPartition', 'year={year:4}/hour={hour:2}/')),
    ).toThrow(/hourPartition .* fields \{year\}, \{month\}, \{day\}, \{hour\}/);
  });
});
