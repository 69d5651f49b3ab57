/**
 * Simulated customers, accounts and payment cards. Balances are tracked in integer cents (haléře)
 * so that balance_after is exact; overdrafts are allowed down to each account's overdraft limit.
 */
import { CITIES } from './atm-network';
import { AliasTable, cumulativeWeights, Prng } from './prng';
import { SECONDS_PER_DAY } from './time';

export interface CardTypeProfile {
  name: string;
  /** share of adult card holders with this card type (junior cards go to under-18s only) */
  share: number;
  /** largest single ATM withdrawal allowed, cents */
  perWithdrawalMaxCents: number;
  /** daily ATM withdrawal limit, cents */
  dailyAtmLimitCents: number;
  /** monthly account package fee, cents */
  monthlyFeeCents: number;
}

export const CARD_TYPES: readonly CardTypeProfile[] = [
  {
    name: 'classic',
    share: 0.7,
    perWithdrawalMaxCents: 10_000_00,
    dailyAtmLimitCents: 20_000_00,
    monthlyFeeCents: 99_00,
  },
  {
    name: 'gold',
    share: 0.17,
    perWithdrawalMaxCents: 20_000_00,
    dailyAtmLimitCents: 50_000_00,
    monthlyFeeCents: 199_00,
  },
  {
    name: 'platinum',
    share: 0.05,
    perWithdrawalMaxCents: 20_000_00,
    dailyAtmLimitCents: 100_000_00,
    monthlyFeeCents: 399_00,
  },
  {
    name: 'business',
    share: 0.08,
    perWithdrawalMaxCents: 20_000_00,
    dailyAtmLimitCents: 60_000_00,
    monthlyFeeCents: 249_00,
  },
];
export const JUNIOR_CARD: CardTypeProfile = {
  name: 'junior',
  share: 0,
  perWithdrawalMaxCents: 2_000_00,
  dailyAtmLimitCents: 3_000_00,
  monthlyFeeCents: 0,
};

export interface Card {
  id: string;
  type: CardTypeProfile;
  /** epoch seconds after which the card is expired */
  expiresAt: number;
  /** `,"card_id":...,"card_type":...` written on every card line */
  jsonFragment: string;
  /** consecutive wrong PIN entries (3 or more -> "PIN tries exceeded") */
  wrongPinStreak: number;
  /** local day number the daily ATM total belongs to */
  atmDay: number;
  atmDayTotalCents: number;
}

export interface Account {
  index: number;
  id: string;
  /** `"account_id":"..."` */
  jsonFragment: string;
  birthDate: string;
  gender: 'F' | 'M';
  homeCityIndex: number;
  card: Card | null;
  balanceCents: number;
  overdraftLimitCents: number;
  monthlyFeeCents: number;
  /** relative activity: how often this account transacts */
  activity: number;
}

export interface AccountBook {
  accounts: readonly Account[];
  /** samples an account index weighted by activity */
  pickAny: AliasTable;
  /** indexes of accounts holding a card (valid or expired) */
  cardHolders: readonly number[];
  /** samples an index into cardHolders weighted by activity */
  pickCardHolder: AliasTable | null;
}

function isoDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

export interface AccountBookOptions {
  count: number;
  periodStart: number;
  periodEnd: number;
}

export function buildAccountBook(prng: Prng, options: AccountBookOptions): AccountBook {
  const cityCumulative = cumulativeWeights(CITIES.map((c) => c.weight));
  const adultCardCumulative = cumulativeWeights(CARD_TYPES.map((t) => t.share));
  const accounts: Account[] = [];
  let cardSequence = 0;
  for (let i = 0; i < options.count; i++) {
    const id = `ACC-${String(i + 1).padStart(8, '0')}`;
    const isJunior = prng.chance(0.08);
    const ageYears = isJunior
      ? prng.between(12, 18)
      : 18 + Math.min(67, Math.abs(prng.normal()) * 24 + prng.next() * 8);
    const birthDate = isoDate(options.periodStart - Math.floor(ageYears * 365.25 * SECONDS_PER_DAY));
    const gender = prng.chance(0.52) ? 'F' : 'M';
    const homeCityIndex = prng.weightedIndex(cityCumulative);
    const hasCard = isJunior || prng.chance(0.95);
    let card: Card | null = null;
    let cardType: CardTypeProfile | null = null;
    if (hasCard) {
      cardType = isJunior ? JUNIOR_CARD : CARD_TYPES[prng.weightedIndex(adultCardCumulative)];
      cardSequence += 1;
      const cardId = `CARD-${String(cardSequence).padStart(8, '0')}`;
      // About 1% of customers still carry a card that expired 1-6 months before the period.
      const expiresAt = prng.chance(0.01)
        ? options.periodStart - prng.intBetween(30, 180) * SECONDS_PER_DAY
        : options.periodEnd + prng.intBetween(30, 4 * 365) * SECONDS_PER_DAY;
      card = {
        id: cardId,
        type: cardType,
        expiresAt,
        jsonFragment: `,"card_id":"${cardId}","card_type":"${cardType.name}"`,
        wrongPinStreak: 0,
        atmDay: -1,
        atmDayTotalCents: 0,
      };
    }
    const overdraftLimitCents =
      isJunior || !prng.chance(0.45) ? 0 : prng.pick([5_000, 10_000, 20_000, 50_000]) * 100;
    let balanceCents = Math.round(prng.logNormal(25_000, 0.9) * 100);
    if (overdraftLimitCents > 0 && prng.chance(0.12))
      balanceCents = -Math.round(prng.next() * overdraftLimitCents * 0.8);
    if (isJunior) balanceCents = Math.round(prng.logNormal(2_500, 0.7) * 100);
    accounts.push({
      index: i,
      id,
      jsonFragment: `"account_id":"${id}"`,
      birthDate,
      gender,
      homeCityIndex,
      card,
      balanceCents,
      overdraftLimitCents,
      monthlyFeeCents: cardType ? cardType.monthlyFeeCents : 59_00,
      activity: isJunior ? prng.logNormal(0.5, 0.5) : prng.logNormal(1, 0.7),
    });
  }
  // Expired cards are still used now and then (that is what produces "card expired" declines).
  const cardUsers = accounts.filter((a) => a.card).map((a) => a.index);
  return {
    accounts,
    pickAny: new AliasTable(accounts.map((a) => a.activity)),
    cardHolders: cardUsers,
    pickCardHolder: cardUsers.length > 0 ? new AliasTable(cardUsers.map((i) => accounts[i].activity)) : null,
  };
}

/** Accounts whose card is valid at the given instant (fraud victims are picked from these). */
export function validCardHolders(book: AccountBook, at: number): number[] {
  return book.cardHolders.filter((i) => (book.accounts[i].card?.expiresAt ?? at) > at);
}

/** Default number of accounts for a run: about 1.5 transactions per account per day, within bounds. */
export function defaultAccountCount(goodLines: number, days: number): number {
  return Math.max(50, Math.min(2_000_000, Math.round(goodLines / Math.max(1, days) / 1.5)));
}
