import * as fs from 'node:fs';
import * as path from 'node:path';

/** One list price, with the AWS page it belongs to, when it was looked up and whether that page confirmed it. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  /** The AWS pricing page the price belongs to. */
  readonly source: string;
  /** The day the price was looked up (YYYY-MM-DD). */
  readonly retrieved: string;
  /** True only when the number was read from a stored copy of an AWS page for this region. */
  readonly verified: boolean;
  /** What was read and where; for an unverified price, why it could not be confirmed. */
  readonly evidence: string;
}

/** The pinned prices of one region (lib/cost/prices/<region>.json). */
export interface PriceList {
  readonly region: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  /** The day the file's prices were looked up (YYYY-MM-DD). */
  readonly retrieved: string;
  readonly prices: Readonly<Record<string, Price>>;
}

/** Folder of the pinned price files, one per region. */
export const PRICES_DIR = path.join(__dirname, 'prices');

/** Thrown when a price file or one of its prices is missing or malformed: the message says which and how to fix it. */
export class PriceError extends Error {
  override readonly name = 'PriceError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The regions that have a price file. */
export function pricedRegions(dir: string = PRICES_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.replace(/\.json$/, ''))
    .sort();
}

/** Reads the price file of `region`; a region without one stops with the regions that have one. */
export function loadPriceList(region: string, dir: string = PRICES_DIR): PriceList {
  const file = path.join(dir, `${region}.json`);
  if (!fs.existsSync(file)) {
    throw new PriceError(
      `No price file for region ${region} (${path.relative(process.cwd(), file)}). ` +
        `Priced regions: ${pricedRegions(dir).join(', ')}. Fix: estimate in one of them (COST_REGION=us-east-1), ` +
        `or copy lib/cost/prices/us-east-1.json to ${region}.json and set every price from the AWS pricing pages of ${region}, with the date you read them`,
    );
  }
  const list = JSON.parse(fs.readFileSync(file, 'utf8')) as PriceList;
  if (list.region !== region) {
    throw new PriceError(
      `${file} says it prices ${list.region}, not ${region}. Fix: set "region" to "${region}"`,
    );
  }
  checkPriceList(list, file);
  return list;
}

/** Every entry needs a positive price, its page, the day it was looked up, and whether (and how) it was confirmed. */
function checkPriceList(list: PriceList, file: string): void {
  if (typeof list.retrieved !== 'string' || !DATE.test(list.retrieved)) {
    throw new PriceError(`${file}: "retrieved" must be the day the prices were looked up, YYYY-MM-DD`);
  }
  for (const [key, price] of Object.entries(list.prices)) {
    const problems = [
      typeof price.usd === 'number' && price.usd > 0 ? undefined : '"usd" a positive number',
      typeof price.unit === 'string' && price.unit !== '' ? undefined : '"unit"',
      typeof price.source === 'string' && price.source.startsWith('https://aws.amazon.com/')
        ? undefined
        : '"source" the AWS pricing page (https://aws.amazon.com/...)',
      typeof price.retrieved === 'string' && DATE.test(price.retrieved)
        ? undefined
        : '"retrieved" YYYY-MM-DD',
      typeof price.verified === 'boolean' ? undefined : '"verified" true or false',
      typeof price.evidence === 'string' && price.evidence !== ''
        ? undefined
        : '"evidence" (what confirmed it, or why it could not be confirmed)',
    ].filter((problem): problem is string => problem !== undefined);
    if (problems.length > 0) {
      throw new PriceError(`${file}: price "${key}" needs ${problems.join(', ')}`);
    }
  }
}

/** The price per unit under `key`; a missing one names the key and the file to add it to. */
export function priceOf(list: PriceList, key: string): number {
  const price = list.prices[key];
  if (price === undefined) {
    throw new PriceError(
      `No price "${key}" in lib/cost/prices/${list.region}.json. Fix: add it from the AWS pricing page of the service, with its unit, source URL, the day you read it and whether the page confirmed it`,
    );
  }
  return price.usd;
}

/** The keys of the prices an estimate used that no stored AWS page confirmed. */
export function unverifiedKeys(list: PriceList, keys: Iterable<string>): string[] {
  return [...new Set(keys)].filter((key) => list.prices[key]?.verified === false).sort();
}
