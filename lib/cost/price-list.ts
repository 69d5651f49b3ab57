import * as fs from 'node:fs';
import * as path from 'node:path';

/** One list price, with the AWS page it was read from and when. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly read: string;
}

/** The pinned prices of one region (lib/cost/prices/<region>.json). */
export interface PriceList {
  readonly region: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  readonly read: string;
  readonly prices: Readonly<Record<string, Price>>;
}

/** Folder of the pinned price files, one per region. */
export const PRICES_DIR = path.join(__dirname, 'prices');

/** Thrown when a price file or one of its prices is missing: the message says which and how to add it. */
export class PriceError extends Error {
  override readonly name = 'PriceError';
}

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
  return list;
}

/** The price per unit under `key`; a missing one names the key and the file to add it to. */
export function priceOf(list: PriceList, key: string): number {
  const price = list.prices[key];
  if (price === undefined) {
    throw new PriceError(
      `No price "${key}" in lib/cost/prices/${list.region}.json. Fix: add it from the AWS pricing page of the service, with its unit, source URL and the date read`,
    );
  }
  return price.usd;
}
