import { COST_ASSUMPTIONS } from './assumptions';
import { idleLines } from './idle-cost';
import { type PricedLine, totalOf } from './priced-line';
import type { PriceList } from './price-list';
import { readInventory } from './resource-inventory';
import { runLines } from './run-cost';
import type { StageTemplates } from './template-reader';

/** The estimate of one stage: idle month, one run, and a month of runs on the stage's schedule. */
export interface StageCost {
  readonly stage: string;
  readonly region: string;
  readonly idle: readonly PricedLine[];
  readonly idleUsd: number;
  readonly run: readonly PricedLine[];
  readonly runUsd: number;
  /** The schedule rule's expression, e.g. `rate(1 hour)`. */
  readonly schedule: string;
  readonly runsPerMonth: number;
  /** Idle month plus `runsPerMonth` runs. */
  readonly monthUsd: number;
}

export function estimateStageCost(stage: string, templates: StageTemplates, prices: PriceList): StageCost {
  const inventory = readInventory(templates);
  const idle = idleLines(inventory, prices);
  const run = runLines(inventory, prices);
  const idleUsd = totalOf(idle);
  const runUsd = totalOf(run);
  const runsPerMonth = inventory.run === undefined ? 0 : COST_ASSUMPTIONS.runsPerMonth;
  return {
    stage,
    region: prices.region,
    idle,
    idleUsd,
    run,
    runUsd,
    schedule: inventory.runSchedule ?? 'no schedule',
    runsPerMonth,
    monthUsd: idleUsd + runsPerMonth * runUsd,
  };
}
