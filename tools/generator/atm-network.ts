/**
 * The simulated ATM network: a few dozen ATMs across Czech and Slovak cities, each with an id,
 * street address or site name, city, country, coordinates, opening hours and a popularity weight.
 * Coordinates are real city centres plus a small seeded offset, so distances between cities are
 * realistic (the "same card at distant ATMs within an hour" fraud pattern relies on that).
 * The cities and their sites are reference data in cities.json.
 */
import cityRows from './cities.json';
import { Prng } from './prng';

const SITE_KINDS = ['branch', 'street', 'mall', 'station', 'airport'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];
const COUNTRIES = ['CZ', 'SK'] as const;

export interface City {
  code: string;
  name: string;
  country: (typeof COUNTRIES)[number];
  latitude: number;
  longitude: number;
  /** relative size: share of ATMs and of customers living there */
  weight: number;
  /** Berka district regions (district.asc column A3) served by this city, for the Berka replay */
  berkaRegions: readonly string[];
  sites: readonly { name: string; kind: SiteKind }[];
}

/** The cities' reference data (cities.json), checked once so a typo there fails with its name. */
function checkedCities(rows: typeof cityRows): City[] {
  return rows.map((row) => {
    const country = COUNTRIES.find((c) => c === row.country);
    if (!country)
      throw new Error(`cities.json: ${row.code} has country ${row.country}; use one of ${COUNTRIES}`);
    const sites = row.sites.map((site) => {
      const kind = SITE_KINDS.find((k) => k === site.kind);
      if (!kind)
        throw new Error(
          `cities.json: ${row.code} site "${site.name}" has kind ${site.kind}; use one of ${SITE_KINDS}`,
        );
      return { name: site.name, kind };
    });
    return { ...row, country, sites };
  });
}

export const CITIES: readonly City[] = checkedCities(cityRows);

/** Local opening hours [open, close) per site kind; null = 24/7. */
const OPENING_HOURS: Record<SiteKind, readonly [number, number] | null> = {
  branch: null,
  street: null,
  airport: null,
  mall: [8, 22],
  station: [4, 24],
};

const POPULARITY: Record<SiteKind, number> = {
  branch: 1.0,
  street: 1.2,
  mall: 1.4,
  station: 1.3,
  airport: 0.8,
};

export interface Atm {
  index: number;
  id: string;
  location: string;
  cityIndex: number;
  city: string;
  country: string;
  latitude: number;
  longitude: number;
  siteKind: SiteKind;
  openHours: readonly [number, number] | null;
  popularity: number;
  acceptsDeposits: boolean;
  /** Pre-serialised `,"atm_id":...,"longitude":...` fragment: written on every ATM line. */
  jsonFragment: string;
}

export interface AtmNetwork {
  atms: readonly Atm[];
  /** ATM indexes per city index */
  byCity: readonly (readonly number[])[];
  /** cumulative popularity per city, aligned with byCity */
  cumulativeByCity: readonly Float64Array[];
  /** 24/7 ATM indexes per city (never empty: every city's first ATM is a branch lobby) */
  alwaysOpenByCity: readonly (readonly number[])[];
}

export const MIN_ATMS = CITIES.length;
export const MAX_ATMS = 2000;

export function isOpen(atm: Atm, localHour: number): boolean {
  if (!atm.openHours) return true;
  return localHour >= atm.openHours[0] && localHour < atm.openHours[1];
}

/** Great-circle distance in km. */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const toRad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * toRad;
  const dLon = (b.longitude - a.longitude) * toRad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * toRad) * Math.cos(b.latitude * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Splits `total` ATMs over cities by weight (largest remainder), at least one per city. */
function atmsPerCity(total: number): number[] {
  const weightSum = CITIES.reduce((sum, c) => sum + c.weight, 0);
  const spare = total - CITIES.length;
  const exact = CITIES.map((c) => (spare * c.weight) / weightSum);
  const counts = exact.map((x) => 1 + Math.floor(x));
  let remaining = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; remaining > 0; k = (k + 1) % order.length, remaining--) counts[order[k][1]] += 1;
  return counts;
}

export function buildAtmNetwork(prng: Prng, totalAtms: number): AtmNetwork {
  if (!Number.isInteger(totalAtms) || totalAtms < MIN_ATMS || totalAtms > MAX_ATMS) {
    throw new Error(`--atms must be an integer from ${MIN_ATMS} to ${MAX_ATMS} (got ${totalAtms})`);
  }
  const counts = atmsPerCity(totalAtms);
  const atms: Atm[] = [];
  const byCity: number[][] = [];
  const alwaysOpenByCity: number[][] = [];
  CITIES.forEach((city, cityIndex) => {
    const indexes: number[] = [];
    const alwaysOpen: number[] = [];
    for (let n = 0; n < counts[cityIndex]; n++) {
      const site = city.sites[n % city.sites.length];
      // Bigger networks reuse site names with distinct house numbers, as real streets hold several ATMs.
      const houseNumber = prng.intBetween(1, 180);
      const location =
        site.kind === 'street' || site.kind === 'branch' ? `${site.name} ${houseNumber}` : site.name;
      const atm: Omit<Atm, 'jsonFragment'> = {
        index: atms.length,
        id: `ATM-${city.country}-${city.code}-${String(n + 1).padStart(3, '0')}`,
        location: n < city.sites.length ? location : `${location} (${Math.floor(n / city.sites.length) + 1})`,
        cityIndex,
        city: city.name,
        country: city.country,
        latitude: Number((city.latitude + prng.between(-0.03, 0.03)).toFixed(6)),
        longitude: Number((city.longitude + prng.between(-0.045, 0.045)).toFixed(6)),
        siteKind: site.kind,
        openHours: OPENING_HOURS[site.kind],
        popularity: POPULARITY[site.kind] * prng.logNormal(1, 0.35),
        acceptsDeposits: site.kind === 'branch' || prng.chance(0.3),
      };
      const jsonFragment =
        `,"atm_id":${JSON.stringify(atm.id)},"atm_location":${JSON.stringify(atm.location)}` +
        `,"city":${JSON.stringify(atm.city)},"country":${JSON.stringify(atm.country)}` +
        `,"latitude":${atm.latitude},"longitude":${atm.longitude}`;
      atms.push({ ...atm, jsonFragment });
      indexes.push(atm.index);
      if (!atm.openHours) alwaysOpen.push(atm.index);
    }
    byCity.push(indexes);
    alwaysOpenByCity.push(alwaysOpen);
  });
  const cumulativeByCity = byCity.map((indexes) => {
    const cumulative = new Float64Array(indexes.length);
    let sum = 0;
    indexes.forEach((atmIndex, k) => {
      sum += atms[atmIndex].popularity;
      cumulative[k] = sum;
    });
    return cumulative;
  });
  return { atms, byCity, cumulativeByCity, alwaysOpenByCity };
}

/** Picks an ATM in the city weighted by popularity; falls back to a 24/7 one when it is closed. */
export function pickAtmInCity(network: AtmNetwork, prng: Prng, cityIndex: number, localHour: number): Atm {
  const indexes = network.byCity[cityIndex];
  const atm = network.atms[indexes[prng.weightedIndex(network.cumulativeByCity[cityIndex])]];
  if (isOpen(atm, localHour)) return atm;
  return network.atms[prng.pick(network.alwaysOpenByCity[cityIndex])];
}
