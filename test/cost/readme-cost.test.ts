import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_IDLE_BUDGET_USD } from '../../lib/cost/assumptions';
import {
  currentCostSection,
  readmeCostSection,
  sameCostSection,
  type VariantCost,
} from '../../lib/cost/cost-report';
import { COST_VARIANTS } from '../../lib/cost/cost-variants';
import { loadPriceList } from '../../lib/cost/price-list';
import { estimateStageCost } from '../../lib/cost/stage-cost';
import { synthesizeForEstimate } from '../../lib/cost/synthesize-for-estimate';
import { readStageTemplates } from '../../lib/cost/template-reader';
import { REPO_ROOT } from '../../lib/shared/repo-root';
import { TEST_OUT_ROOT, TEST_STAGES } from '../helpers/synth-pipeline';

// The templates global-setup synthesized for every stage (make test); the same stacks `make cost` synthesizes.
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

  // The variants (dev with live alerts on) are not among the synthesized test stages: synthesized here, as make cost does.
  it(
    "matches the README's cost section (run `make cost` after changing a stage or a price)",
    { timeout: 180_000 },
    () => {
      const variants: VariantCost[] = COST_VARIANTS.flatMap((variant) => {
        const base = costs.find((cost) => cost.stage === variant.stage);
        if (base === undefined) return [];
        const cost = estimateStageCost(variant.stage, synthesizeForEstimate(variant.stage, variant), prices);
        return [{ name: variant.name, cost, base }];
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
