import { ConfigError } from './config-error';

/** A zone name: the region followed by a letter, e.g. `eu-central-1a`, `us-gov-west-1b`. */
const ZONE_NAME = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/;
/** A zone ID: the region's short code, `-az` and a number, e.g. `euc1-az2`, `use1-az6`. */
const ZONE_ID = /^[a-z]+\d+-az\d+$/;
const ZONE_LIST_EXAMPLE = `e.g. ["euc1-az1", "euc1-az2", "euc1-az3"] (zone IDs) or ["eu-central-1a", "eu-central-1b", "eu-central-1c"] (zone names)`;

/**
 * How `network.availabilityZones` names its zones: by name (`eu-central-1a`,
 * which maps to a different physical zone in each account) or by ID
 * (`euc1-az2`, the same physical zone in every account).
 */
export type AvailabilityZoneKind = 'name' | 'id';

/** Whether one zone is written as a name or an ID, or neither. */
export function availabilityZoneKind(zone: string): AvailabilityZoneKind | undefined {
  if (ZONE_ID.test(zone)) return 'id';
  if (ZONE_NAME.test(zone)) return 'name';
  return undefined;
}

/**
 * Checks the form of `network.availabilityZones`: a list of zones, all names or
 * all IDs, no duplicates, names all from one region. How many it must list
 * depends on `network.maxAzs`: see checkAvailabilityZoneCount.
 */
export function checkAvailabilityZoneList(key: string, zones: unknown): void {
  if (zones === undefined) return;
  if (!Array.isArray(zones) || zones.some((zone) => typeof zone !== 'string')) {
    throw new ConfigError(
      key,
      `${JSON.stringify(zones)} is not a list of zone names or IDs`,
      `write it as a list, ${ZONE_LIST_EXAMPLE}`,
    );
  }
  const list = zones as string[];
  const unreadable = list.filter((zone) => availabilityZoneKind(zone) === undefined);
  if (unreadable.length > 0) {
    throw new ConfigError(
      key,
      `${unreadable.map((zone) => JSON.stringify(zone)).join(', ')} is neither a zone name nor a zone ID`,
      `use zone names like "eu-central-1a" or zone IDs like "euc1-az2" (aws ec2 describe-availability-zones lists both)`,
    );
  }
  const kinds = new Set(list.map((zone) => availabilityZoneKind(zone)));
  if (kinds.size > 1) {
    throw new ConfigError(
      key,
      `${JSON.stringify(list)} mixes zone names and zone IDs`,
      'use only zone IDs (preferred: they name the same physical zone in every account) or only zone names',
    );
  }
  const duplicates = list.filter((zone, index) => list.indexOf(zone) !== index);
  if (duplicates.length > 0) {
    throw new ConfigError(
      key,
      `${[...new Set(duplicates)].join(', ')} is listed more than once`,
      'list each zone once: the VPC puts one subnet of each group in each listed zone',
    );
  }
  if (kinds.has('name')) {
    const regions = new Set(list.map((zone) => zone.slice(0, -1)));
    if (regions.size > 1) {
      throw new ConfigError(
        key,
        `${JSON.stringify(list)} names zones of more than one region (${[...regions].join(', ')})`,
        'list zones of the region the stage deploys to',
      );
    }
  }
}

/** Checks that a `network.availabilityZones` list (already well-formed) names exactly `maxAzs` zones. */
export function checkAvailabilityZoneCount(key: string, zones: readonly string[], maxAzs: number): void {
  if (zones.length !== maxAzs) {
    throw new ConfigError(
      key,
      `lists ${zones.length} zones but network.maxAzs is ${maxAzs}`,
      `list exactly ${maxAzs} zones, or set network.maxAzs to ${zones.length} (and streaming.brokerCount to a multiple of it)`,
    );
  }
}
