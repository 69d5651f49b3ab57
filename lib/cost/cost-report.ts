import { ReadmeSection } from '../shared/readme-section';
import { COST_ASSUMPTIONS, DEV_IDLE_BUDGET_USD } from './assumptions';
import { formatUsd, totalOf } from './priced-line';
import type { PriceList } from './price-list';
import type { StageCost } from './stage-cost';

/** The README's cost section, between its markers. */
export const README_COST = new ReadmeSection(
  '<!-- cost:begin -->',
  '<!-- cost:end -->',
  '## Monthly cost (estimate)',
  { name: 'cost section', source: 'the templates', command: 'make cost' },
);

const dollars = (usd: number): string => `$${Math.round(usd).toLocaleString('en-US')}`;

/** The printed estimate of one stage: `<stage> idle: $N/month`, its items, one run, and the month at the schedule. */
export function stageCostText(cost: StageCost): string {
  const item = (line: { item: string; basis: string; usd: number }): string =>
    `  ${line.item.padEnd(34)} ${formatUsd(line.usd).padStart(8)}  ${line.basis}`;
  const scheduled = cost.scheduled.length > 0 ? ` + ${dollars(cost.scheduledUsd)} scheduled crawls` : '';
  return [
    `${cost.stage} idle: ${dollars(cost.idleUsd)}/month`,
    ...cost.idle.map(item),
    `${cost.stage} one run: $${cost.runUsd.toFixed(2)}`,
    ...cost.run.map(item),
    `${cost.stage} month at ${cost.schedule}: ${dollars(cost.monthUsd)}`,
    `  idle ${dollars(cost.idleUsd)} + ${cost.runsPerMonth} runs × $${cost.runUsd.toFixed(2)}${scheduled}`,
    ...cost.scheduled.map(item),
    `  prices not confirmed by a stored AWS page: ${cost.unverifiedPrices.length > 0 ? cost.unverifiedPrices.join(', ') : 'none'}`,
  ].join('\n');
}

/** A stage priced with some settings changed (lib/cost/cost-variants.ts), beside the stage as configured. */
export interface VariantCost {
  readonly name: string;
  readonly cost: StageCost;
  readonly base: StageCost;
}

/** `<variant> idle: $N/month`, then each idle item the change adds or alters. */
export function variantCostText(variant: VariantCost): string {
  return [
    `${variant.name} idle: ${dollars(variant.cost.idleUsd)}/month`,
    ...idleDifferences(variant).map((d) => `  ${d.item.padEnd(34)} ${signedUsd(d.usd).padStart(8)}`),
  ].join('\n');
}

function idleDifferences(variant: VariantCost): { item: string; usd: number }[] {
  const usdOf = (cost: StageCost, item: string): number =>
    cost.idle.filter((line) => line.item === item).reduce((sum, line) => sum + line.usd, 0);
  const items = [...new Set([...variant.cost.idle, ...variant.base.idle].map((line) => line.item))];
  return items
    .map((item) => ({ item, usd: usdOf(variant.cost, item) - usdOf(variant.base, item) }))
    .filter((d) => Math.abs(d.usd) >= 0.005);
}

const signedUsd = (usd: number): string => `${usd < 0 ? '-' : '+'}${formatUsd(Math.abs(usd))}`;

/** The idle items of a stage from largest to smallest with their share, the small ones summed. */
function idleShares(cost: StageCost): string {
  const sorted = [...cost.idle].sort((a, b) => b.usd - a.usd);
  const share = (usd: number): string => `${Math.round((100 * usd) / cost.idleUsd)} %`;
  const large = sorted.filter((line) => line.usd >= 0.05 * cost.idleUsd);
  const rest = totalOf(sorted.filter((line) => line.usd < 0.05 * cost.idleUsd));
  return [
    ...large.map((line) => `${line.item} ${formatUsd(line.usd)} (${share(line.usd)})`),
    ...(rest > 0 ? [`everything else ${formatUsd(rest)} (${share(rest)})`] : []),
  ].join(', ');
}

/**
 * The README's cost section (between the markers): a table of every item per
 * stage, the totals, the variants, what dominates dev's idle month, the
 * assumptions and the price file it came from.
 */
export function readmeCostSection(
  costs: readonly StageCost[],
  prices: PriceList,
  variants: readonly VariantCost[] = [],
): string {
  const stages = costs.map((c) => c.stage);
  const header = `| item | ${stages.join(' | ')} |`;
  const rule = `| --- | ${stages.map(() => '---:').join(' | ')} |`;
  const rows = (pick: (cost: StageCost) => readonly { item: string; usd: number }[]): string[] => {
    const items = [...new Set(costs.flatMap((c) => pick(c).map((line) => line.item)))];
    return items.map((item) => {
      const cells = costs.map((cost) => {
        const usd = pick(cost)
          .filter((line) => line.item === item)
          .reduce((sum, line) => sum + line.usd, 0);
        return usd === 0 ? '-' : formatUsd(usd);
      });
      return `| ${item} | ${cells.join(' | ')} |`;
    });
  };
  const totalRow = (label: string, value: (cost: StageCost) => string): string =>
    `| **${label}** | ${costs.map((c) => `**${value(c)}**`).join(' | ')} |`;
  const a = COST_ASSUMPTIONS;
  const priceKeys = Object.keys(prices.prices);
  const verified = priceKeys.filter((key) => prices.prices[key]?.verified === true).length;
  const unverifiedUsed = [...new Set(costs.flatMap((c) => c.unverifiedPrices))].sort();
  const dev = costs.find((c) => c.stage === 'dev');
  return [
    README_COST.begin,
    '',
    `Computed by \`make cost\` from the synthesized templates of each stage and the pinned list prices of ${prices.region} in \`lib/cost/prices/${prices.region}.json\` (looked up ${prices.retrieved}; ${prices.hoursPerMonth} hours a month, on demand, no free tier). \`make test\` fails when this section and the templates disagree, and when dev idles above $${DEV_IDLE_BUDGET_USD} a month.`,
    '',
    `Each price in that file names its AWS pricing page, the day it was looked up and whether a stored copy of the AWS page confirmed the number: ${verified} of ${priceKeys.length} are confirmed. AWS's pricing pages fill their rate tables in at view time, so the stored copies mostly hold no numbers; the others are marked \`"verified": false\` with what was found instead. The estimate below uses these unconfirmed ones: ${unverifiedUsed.map((key) => `\`${key}\``).join(', ')}.`,
    '',
    '**Idle month** (bills with no run at all):',
    '',
    header,
    rule,
    ...rows((c) => c.idle),
    totalRow('idle month', (c) => dollars(c.idleUsd)),
    '',
    ...variants.flatMap((variant) => [
      `**${variant.name}: ${dollars(variant.cost.idleUsd)}/month** idle (${idleDifferences(variant)
        .map((d) => `${d.item} ${signedUsd(d.usd)}`)
        .join(', ')}).`,
      '',
    ]),
    ...(dev ? [`What dominates dev's idle month: ${idleShares(dev)}.`, ''] : []),
    '**One run** (one closed hour of data):',
    '',
    header,
    rule,
    ...rows((c) => c.run),
    totalRow('one run', (c) => `$${c.runUsd.toFixed(2)}`),
    '',
    `**Month** (idle + ${a.runsPerMonth} runs, the schedule only polls and every closed hour is one run; plus what runs on a schedule of its own):`,
    '',
    header,
    rule,
    `| schedule | ${costs.map((c) => `\`${c.schedule}\``).join(' | ')} |`,
    `| ${a.runsPerMonth} runs | ${costs.map((c) => dollars(c.runsPerMonth * c.runUsd)).join(' | ')} |`,
    ...rows((c) => c.scheduled),
    totalRow('month', (c) => dollars(c.monthUsd)),
    '',
    `Assumptions (\`lib/cost/assumptions.ts\`): an EMR cluster bills ${a.emrMinutesPerRun} minutes a run; a crawler run ${a.crawlerDpus} DPU for Glue's 10-minute minimum; the load job ${a.glueJobMinutesPerRun} minutes; the warehouse computes ${a.warehouseActiveSecondsPerRun} s a run at its base RPUs; ${a.dataLakeGb} GB in the lake and ${a.warehouseGb} GB in the warehouse. Data transfer, CloudWatch Logs ingestion, KMS and S3 requests and Athena queries are left out.`,
    '',
    README_COST.end,
  ].join('\n');
}

/** `readme` with its cost section replaced; a README without both markers is an error that says where they go. */
export const replaceCostSection = (readme: string, section: string): string =>
  README_COST.replace(readme, section);

/** The README's current cost section, markers included. */
export const currentCostSection = (readme: string): string | undefined => README_COST.current(readme);

/**
 * Whether two cost sections say the same thing, whatever a formatter did to
 * them: whitespace (table padding, wrapped lines) and the length of table rules are ignored.
 */
export function sameCostSection(a: string | undefined, b: string): boolean {
  const normalize = (text: string): string => text.replace(/\s+/g, '').replace(/-{3,}/g, '---');
  return a !== undefined && normalize(a) === normalize(b);
}
