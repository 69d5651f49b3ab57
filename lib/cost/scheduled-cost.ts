import { BILLING_MINIMUM_MINUTES, COST_ASSUMPTIONS } from './assumptions';
import { formatPrice, type PricedLine } from './priced-line';
import { priceOf, type PriceList } from './price-list';
import type { ResourceInventory } from './resource-inventory';

/** Thrown when a crawler's schedule is one the estimate cannot count the runs of. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/**
 * Runs a month of a Glue cron schedule (`cron(minutes hours day-of-month
 * month day-of-week year)`). Counts schedules that fire at fixed hours every
 * day: minutes a single number, hours `*`, a number, a list, a range or a
 * step, and every day of every month; anything else stops with what the
 * estimate can count.
 */
export function runsPerMonth(schedule: string, hoursPerMonth: number): number {
  const fields = /^cron\((.+)\)$/.exec(schedule.trim())?.[1]?.trim().split(/\s+/);
  const everyDay = (field: string | undefined): boolean => field === '*' || field === '?';
  if (
    fields?.length !== 6 ||
    !/^\d{1,2}$/.test(fields[0] ?? '') ||
    !everyDay(fields[2]) ||
    !everyDay(fields[3]) ||
    !everyDay(fields[4]) ||
    !everyDay(fields[5])
  ) {
    throw new ScheduleError(
      `the estimate counts crawler schedules of the form cron(M H * * ? *) (one minute, fixed hours, every day); got '${schedule}'. ` +
        'Fix: use such a schedule, or teach lib/cost/scheduled-cost.ts to count this one',
    );
  }
  return hoursOfDay(fields[1] ?? '', schedule).size * (hoursPerMonth / 24);
}

function hoursOfDay(field: string, schedule: string): Set<number> {
  const hours = new Set<number>();
  for (const part of field.split(',')) {
    const step = /^(\*|\d+-\d+|\d+)\/(\d+)$/.exec(part);
    const [range, every] = step ? [step[1] ?? '', Number(step[2])] : [part, 1];
    const bounds = range === '*' ? [0, 23] : range.split('-').map(Number);
    const from = bounds[0];
    const to = step && bounds.length === 1 ? 23 : (bounds[1] ?? from);
    if (
      from === undefined ||
      to === undefined ||
      Number.isNaN(from) ||
      Number.isNaN(to) ||
      to > 23 ||
      every < 1
    ) {
      throw new ScheduleError(`cannot read the hours '${field}' of the crawler schedule '${schedule}'`);
    }
    for (let hour = from; hour <= to; hour += every) hours.add(hour);
  }
  return hours;
}

/**
 * What the crawlers with their own schedule bill in a month: each run at
 * Glue's minimum billing (COST_ASSUMPTIONS.crawlerDpus for the crawler
 * minimum), since an incremental crawl of a day's new folders ends well
 * inside it.
 */
export function scheduledLines(inventory: ResourceInventory, prices: PriceList): PricedLine[] {
  const dpuHour = priceOf(prices, 'glue.dpuHour');
  const minutes = Math.max(COST_ASSUMPTIONS.crawlerMinutesPerRun, BILLING_MINIMUM_MINUTES.crawler);
  return inventory.scheduledCrawlers.map((crawler) => {
    const runs = runsPerMonth(crawler.schedule, prices.hoursPerMonth);
    return {
      item: `Glue crawler ${crawler.name.replace(/^.*-/, '')} on its schedule`,
      basis: `\`${crawler.schedule}\`: ${Number(runs.toFixed(1))} runs × ${COST_ASSUMPTIONS.crawlerDpus} DPU × ${minutes} min (minimum) × ${formatPrice(dpuHour)}`,
      usd: (runs * COST_ASSUMPTIONS.crawlerDpus * minutes * dpuHour) / 60,
    };
  });
}
