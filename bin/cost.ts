#!/usr/bin/env node
/**
 * `make cost`: synthesizes every stage of cdk.json in-process, prices what its
 * templates hold (lib/cost) and prints per stage its idle month, one run and a
 * month of runs. Writes the README's cost section, or with `--check` only
 * compares it and fails when the README and the templates disagree.
 *
 *   npx tsx bin/cost.ts [--check] [--region us-east-1]   (COST_REGION also sets the region)
 *   npx tsx bin/cost.ts --variants-json   (the COST_VARIANTS only, as one JSON line prefixed `cost-variants: `)
 */
import { ConfigError } from '../lib/config';
import {
  README_COST,
  readmeCostSection,
  sameCostSection,
  stageCostText,
  type VariantCost,
  variantCostText,
} from '../lib/cost/cost-report';
import { COST_VARIANTS } from '../lib/cost/cost-variants';
import { loadPriceList, PriceError } from '../lib/cost/price-list';
import { ScheduleError } from '../lib/cost/scheduled-cost';
import { estimateStageCost, type StageCost } from '../lib/cost/stage-cost';
import { stageNames, synthesizeForEstimate } from '../lib/cost/synthesize-for-estimate';
import { runGenerator, writeOrCheckReadmeSection } from '../lib/shared/readme-generator';

/** Starts the line `--variants-json` prints its JSON on (synthesis logs share stdout). */
const VARIANTS_JSON_PREFIX = 'cost-variants: ';

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const regionFlag = argv.indexOf('--region');
  const region =
    (regionFlag >= 0 ? argv[regionFlag + 1] : undefined) ?? process.env.COST_REGION ?? 'us-east-1';
  const prices = loadPriceList(region);

  if (argv.includes('--variants-json')) {
    // For the README test: the variants only, which the test suite's synthesized stages do not include.
    const variants = COST_VARIANTS.map((variant) => ({
      name: variant.name,
      stage: variant.stage,
      cost: estimateStageCost(variant.stage, synthesizeForEstimate(variant.stage, variant), prices),
    }));
    console.log(`${VARIANTS_JSON_PREFIX}${JSON.stringify(variants)}`);
    return 0;
  }

  const costs: StageCost[] = stageNames().map((stage) =>
    estimateStageCost(stage, synthesizeForEstimate(stage), prices),
  );
  const variants: VariantCost[] = COST_VARIANTS.flatMap((variant) => {
    const base = costs.find((cost) => cost.stage === variant.stage);
    if (base === undefined) return [];
    const cost = estimateStageCost(variant.stage, synthesizeForEstimate(variant.stage, variant), prices);
    return [{ name: variant.name, cost, base }];
  });

  console.log([...costs.map(stageCostText), ...variants.map(variantCostText)].join('\n\n'));
  return writeOrCheckReadmeSection(
    README_COST,
    readmeCostSection(costs, prices, variants),
    sameCostSection,
    check,
    '\n',
  );
}

runGenerator(
  main,
  (error) => error instanceof PriceError || error instanceof ConfigError || error instanceof ScheduleError,
);
