/**
 * Fraud injection. Incidents are planned up front (who, when, where, how much) and merged into the
 * time-ordered stream by the simulator, where they go through the same authorisation as everything
 * else (so a fraudster can hit the daily limit or an empty ATM). What was injected is reported in a
 * sidecar so that tests downstream know which transactions their fraud rules should flag.
 *
 * Patterns:
 *  - card_burst:              4-7 ATM withdrawals on one card within 25 minutes, one or two ATMs.
 *  - distant_atms:            the same card at ATMs at least 150 km apart, all within one hour.
 *  - repeated_max_withdrawal: 3-5 withdrawals of the card's maximum single amount within 2 hours,
 *                             on cards whose maximum is the largest any card allows.
 */
import { validCardHolders, type AccountBook } from './accounts';
import { distanceKm, type AtmNetwork } from './atm-network';
import type { Prng } from './prng';
import { bucketStart, type Timeline } from './timeline';
import { SECONDS_PER_HOUR, SECONDS_PER_MINUTE } from './time';

export const FRAUD_PATTERNS = ['card_burst', 'distant_atms', 'repeated_max_withdrawal'] as const;
export type FraudPattern = (typeof FRAUD_PATTERNS)[number];

/** Minimum distance between consecutive ATMs of a distant_atms incident. */
export const DISTANT_ATMS_MIN_KM = 150;
/** All events of a distant_atms incident fall within this window. */
export const DISTANT_ATMS_WINDOW_SECONDS = SECONDS_PER_HOUR;

export interface FraudEventPlan {
  time: number;
  incidentIndex: number;
  atmIndex: number;
  amountCents: number;
}

export interface FraudOutcome {
  transaction_id: string;
  occurred_at: string;
  atm_id: string;
  city: string;
  amount: string;
  status: string;
  message_code: string;
}

export interface FraudIncident {
  incidentId: string;
  pattern: FraudPattern;
  accountIndex: number;
  events: FraudEventPlan[];
  outcomes: FraudOutcome[];
}

const PATTERN_WEIGHTS: Record<FraudPattern, number> = {
  card_burst: 0.4,
  distant_atms: 0.3,
  repeated_max_withdrawal: 0.3,
};
const MIN_EVENTS: Record<FraudPattern, number> = {
  card_burst: 4,
  distant_atms: 2,
  repeated_max_withdrawal: 3,
};
const MAX_EVENTS: Record<FraudPattern, number> = {
  card_burst: 7,
  distant_atms: 3,
  repeated_max_withdrawal: 5,
};
const BURST_AMOUNTS_CZK = [1000, 2000, 3000, 4000, 5000];

export interface FraudPlanInput {
  targetEvents: number;
  timeline: Timeline;
  /** cumulative ATM traffic weight per bucket: incidents start when ATMs are busy */
  atmBucketCumulative: Float64Array;
  network: AtmNetwork;
  book: AccountBook;
}

function pickPattern(prng: Prng, remaining: number): FraudPattern | null {
  const candidates = FRAUD_PATTERNS.filter((p) => MIN_EVENTS[p] <= remaining);
  if (candidates.length === 0) return null;
  const total = candidates.reduce((sum, p) => sum + PATTERN_WEIGHTS[p], 0);
  let target = prng.next() * total;
  for (const p of candidates) {
    target -= PATTERN_WEIGHTS[p];
    if (target < 0) return p;
  }
  return candidates[candidates.length - 1];
}

/** 24/7 ATMs only: a fraud event must not be moved to another ATM because a mall is closed. */
function alwaysOpenAtmsOfCity(network: AtmNetwork, cityIndex: number): number[] {
  return [...network.alwaysOpenByCity[cityIndex]];
}

function cityPairsFarApart(network: AtmNetwork): [number, number][] {
  const pairs: [number, number][] = [];
  const cityCount = network.byCity.length;
  for (let a = 0; a < cityCount; a++) {
    for (let b = 0; b < cityCount; b++) {
      if (a === b) continue;
      const atmA = network.atms[network.alwaysOpenByCity[a][0]];
      const atmB = network.atms[network.alwaysOpenByCity[b][0]];
      // Margin over the threshold so that the seeded ATM offsets inside cities cannot undercut it.
      if (distanceKm(atmA, atmB) >= DISTANT_ATMS_MIN_KM + 15) pairs.push([a, b]);
    }
  }
  return pairs;
}

export function planFraud(prng: Prng, input: FraudPlanInput): FraudIncident[] {
  const { timeline, network, book } = input;
  const incidents: FraudIncident[] = [];
  if (input.targetEvents < 2) return incidents;
  const victims = validCardHolders(book, timeline.start);
  if (victims.length === 0) return incidents;
  // Repeated maximum withdrawals target cards whose maximum is the ATM's own maximum: then "the
  // card's maximum" and "the largest withdrawal seen" (what a detection rule can know) coincide.
  const deviceMax = Math.max(...victims.map((i) => book.accounts[i].card?.type.perWithdrawalMaxCents ?? 0));
  const premiumVictims = victims.filter(
    (i) => book.accounts[i].card?.type.perWithdrawalMaxCents === deviceMax,
  );
  const farPairs = cityPairsFarApart(network);
  let remaining = input.targetEvents;
  while (remaining >= 2) {
    const pattern = pickPattern(prng, remaining);
    if (!pattern) break;
    const size = Math.min(remaining, prng.intBetween(MIN_EVENTS[pattern], MAX_EVENTS[pattern]));
    const accountIndex = prng.pick(pattern === 'repeated_max_withdrawal' ? premiumVictims : victims);
    const account = book.accounts[accountIndex];
    const card = account.card;
    if (!card) break; // victims are card holders; a cardless one would be a bug upstream
    const gaps: number[] = [];
    const atmIndexes: number[] = [];
    const amounts: number[] = [];
    if (pattern === 'card_burst') {
      const cityAtms = alwaysOpenAtmsOfCity(network, account.homeCityIndex);
      const first = prng.pick(cityAtms);
      const second = prng.chance(0.4) ? prng.pick(cityAtms) : first;
      for (let k = 0; k < size; k++) {
        gaps.push(k === 0 ? 0 : prng.intBetween(1 * SECONDS_PER_MINUTE, 4 * SECONDS_PER_MINUTE));
        atmIndexes.push(k % 2 === 0 ? first : second);
        amounts.push(Math.min(prng.pick(BURST_AMOUNTS_CZK) * 100, card.type.perWithdrawalMaxCents));
      }
    } else if (pattern === 'distant_atms') {
      const [cityA, cityB] = prng.pick(farPairs);
      for (let k = 0; k < size; k++) {
        // Gaps of 10-28 minutes keep even three events inside the one-hour window.
        gaps.push(k === 0 ? 0 : prng.intBetween(10 * SECONDS_PER_MINUTE, 28 * SECONDS_PER_MINUTE));
        atmIndexes.push(prng.pick(alwaysOpenAtmsOfCity(network, k % 2 === 0 ? cityA : cityB)));
        amounts.push(Math.min(prng.pick(BURST_AMOUNTS_CZK) * 100, card.type.perWithdrawalMaxCents));
      }
    } else {
      const cityAtms = alwaysOpenAtmsOfCity(network, account.homeCityIndex);
      for (let k = 0; k < size; k++) {
        gaps.push(k === 0 ? 0 : prng.intBetween(8 * SECONDS_PER_MINUTE, 30 * SECONDS_PER_MINUTE));
        atmIndexes.push(prng.pick(cityAtms));
        amounts.push(card.type.perWithdrawalMaxCents);
      }
    }
    const duration = gaps.reduce((a, b) => a + b, 0);
    const bucket = prng.weightedIndex(input.atmBucketCumulative);
    let start = bucketStart(timeline, bucket) + timeline.low[bucket] + prng.int(timeline.span[bucket]);
    start = Math.max(timeline.start, Math.min(start, timeline.end - 1 - duration));
    const incidentIndex = incidents.length;
    let time = start;
    const events = gaps.map((gap, k) => {
      time += gap;
      return { time, incidentIndex, atmIndex: atmIndexes[k], amountCents: amounts[k] };
    });
    incidents.push({
      incidentId: `FRAUD-${String(incidentIndex + 1).padStart(6, '0')}`,
      pattern,
      accountIndex,
      events,
      outcomes: [],
    });
    remaining -= size;
  }
  return incidents;
}
