import { COST_ASSUMPTIONS } from './assumptions';
import { idleLines } from './idle-cost';
import { type PricedLine, totalOf } from './priced-line';
import { type Price, type PriceList, unverifiedKeys } from './price-list';
import { readInventory } from './resource-inventory';
import { runLines } from './run-cost';
import { scheduledLines } from './scheduled-cost';
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
  /** What bills a month on schedules of its own, outside the runs (crawlers Glue starts). */
  readonly scheduled: readonly PricedLine[];
  readonly scheduledUsd: number;
  /** Idle month plus `runsPerMonth` runs plus the scheduled items. */
  readonly monthUsd: number;
  /** The prices the estimate used that no stored AWS page confirmed (lib/cost/prices). */
  readonly unverifiedPrices: readonly string[];
}

export function estimateStageCost(stage: string, templates: StageTemplates, prices: PriceList): StageCost {
  const inventory = readInventory(templates);
  const { list, used } = recordingUse(prices);
  const idle = idleLines(inventory, list);
  const run = runLines(inventory, list);
  const scheduled = scheduledLines(inventory, list);
  const idleUsd = totalOf(idle);
  const runUsd = totalOf(run);
  const scheduledUsd = totalOf(scheduled);
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
    scheduled,
    scheduledUsd,
    monthUsd: idleUsd + runsPerMonth * runUsd + scheduledUsd,
    unverifiedPrices: unverifiedKeys(prices, used),
  };
}

/** The same price list, noting each price key read, so the estimate can say which unconfirmed prices it rests on. */
function recordingUse(prices: PriceList): { list: PriceList; used: Set<string> } {
  const used = new Set<string>();
  const recorded = new Proxy(prices.prices, {
    get(target, key, receiver): Price | undefined {
      if (typeof key === 'string') used.add(key);
      return Reflect.get(target, key, receiver) as Price | undefined;
    },
  });
  return { list: { ...prices, prices: recorded }, used };
}
