import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_IDLE_BUDGET_USD } from '../../../lib/cost/assumptions';
import {
  currentCostSection,
  readmeCostSection,
  sameCostSection,
  type VariantCost,
} from '../../../lib/cost/cost-report';
import { COST_VARIANTS } from '../../../lib/cost/cost-variants';
import { loadPriceList } from '../../../lib/cost/price-list';
import { estimateStageCost, type StageCost } from '../../../lib/cost/stage-cost';
import { readStageTemplates } from '../../../lib/cost/template-reader';
import { REPO_ROOT } from '../../../lib/shared/repo-root';
import { TEST_OUT_ROOT, TEST_STAGES } from '../../helpers/synth-pipeline';

// The templates global-setup synthesized for every stage (make test); the same stacks `make cost` synthesizes.
const run = promisify(execFile);
const prices = loadPriceList('us-east-1');
const costs = TEST_STAGES.map((stage) =>
  estimateStageCost(stage, readStageTemplates(path.join(TEST_OUT_ROOT, stage), stage), prices),
);

describe('monthly cost from the synthesized templates', () => {
  it(`keeps dev's idle month at or under $${DEV_IDLE_BUDGET_USD}`, () => {
    const dev = costs.find((cost) => cost.stage === 'dev');
    const items = dev?.idle.map((line) => `${line.item} $${line.usd.toFixed(2)}`).join(', ');
    expect(dev?.idleUsd, `dev idle items: ${items}`).toBeLessThanOrEqual(DEV_IDLE_BUDGET_USD);
  });

  // The variants (dev with live alerts on) are not among the synthesized test stages: make cost synthesizes them
  // in a child process, so this worker stays responsive meanwhile.
  it(
    "matches the README's cost section (run `make cost` after changing a stage or a price)",
    { timeout: 600_000 },
    async () => {
      const { stdout } = await run(
        path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
        ['bin/cost.ts', '--variants-json'],
        {
          cwd: REPO_ROOT,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const line = stdout.split('\n').find((l) => l.startsWith('cost-variants: '));
      const priced = JSON.parse(line?.slice('cost-variants: '.length) ?? '[]') as {
        name: string;
        stage: string;
        cost: StageCost;
      }[];
      expect(priced.map((v) => v.name)).toEqual(COST_VARIANTS.map((v) => v.name));
      const variants: VariantCost[] = priced.flatMap((variant) => {
        const base = costs.find((cost) => cost.stage === variant.stage);
        return base === undefined ? [] : [{ name: variant.name, cost: variant.cost, base }];
      });
      const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
      const current = currentCostSection(readme);
      const expected = readmeCostSection(costs, prices, variants);
      expect(
        sameCostSection(current, expected),
        `README.md has:\n${current}\n\nthe templates give:\n${expected}`,
      ).toBe(true);
    },
  );
});
