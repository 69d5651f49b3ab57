/**
 * The synthetic transaction simulator: produces exactly `goodCount` contract-valid transactions in
 * time order over the simulated period, with account balances, card limits and ATM cash tracked.
 *
 * How the volume is laid out: every category (ATM withdrawal, POS payment, transfer...) has a share
 * and an hour/weekday profile; the period is cut into one-hour buckets, each bucket gets a weight
 * (sum of the categories' profiles, with seeded day and hour noise) and the regular events are
 * apportioned over the buckets by cumulative rounding, which hits the requested count exactly.
 * Month-end interest and account fees, and planned fraud incidents, are added into their buckets.
 */
import { buildAccountBook, type Account, type AccountBook, type Card } from './accounts';
import { buildAtmNetwork, CITIES, pickAtmInCity, type Atm, type AtmNetwork } from './atm-network';
import { CHANNEL, OPERATION, TYPE, type Channel, type Operation, type TxnType } from './contract';
import { planFraud, type FraudIncident, type FraudEventPlan } from './fraud';
import { MESSAGES, type ProcessorMessage } from './messages';
import { cumulativeWeights, Prng } from './prng';
import { PROFILES, profileWeight, type HourProfile } from './profiles';
import { centsToDecimalText, NO_ATTACHMENTS, type TxnRecord } from './record';
import { bucketOf, bucketStart, buildTimeline, type Timeline } from './timeline';
import { formatIsoSeconds, SECONDS_PER_DAY, SECONDS_PER_HOUR } from './time';

export const CURRENCY = 'CZK';

export interface SimulationOptions {
  seed: string;
  goodCount: number;
  /** epoch seconds */
  periodStart: number;
  days: number;
  accounts: number;
  atms: number;
  /** share of good lines that are injected fraud events */
  fraudRatio: number;
}

type CategoryKey =
  | 'atmWithdrawal'
  | 'atmDeposit'
  | 'branchDeposit'
  | 'branchWithdrawal'
  | 'posPayment'
  | 'onlinePayment'
  | 'mobilePayment'
  | 'transferOut'
  | 'transferIn';

interface CategoryDefinition {
  key: CategoryKey;
  share: number;
  profile: HourProfile;
}

const CATEGORIES: readonly CategoryDefinition[] = [
  { key: 'atmWithdrawal', share: 0.34, profile: PROFILES.atm },
  { key: 'atmDeposit', share: 0.025, profile: PROFILES.atm },
  { key: 'branchDeposit', share: 0.03, profile: PROFILES.branch },
  { key: 'branchWithdrawal', share: 0.015, profile: PROFILES.branch },
  { key: 'posPayment', share: 0.23, profile: PROFILES.retail },
  { key: 'onlinePayment', share: 0.07, profile: PROFILES.online },
  { key: 'mobilePayment', share: 0.06, profile: PROFILES.mobile },
  { key: 'transferOut', share: 0.09, profile: PROFILES.transfersOut },
  { key: 'transferIn', share: 0.08, profile: PROFILES.transfersIn },
];
const ATM_WITHDRAWAL_CATEGORY = 0;

/** Event codes in the per-bucket sort keys: categories 0..N-1, then the scheduled and fraud codes. */
const CODE_INTEREST = 32;
const CODE_FEE = 33;
const CODE_FRAUD_BASE = 64;
const CODE_SPACE = 1 << 20;

/** Local hours of the month-end postings. */
const FEE_HOUR = 22;
const INTEREST_HOUR = 23;
/** Month-end postings may not exceed this share of the good lines each (short periods, many accounts). */
const MAX_SCHEDULED_SHARE = 0.03;

const ATM_AMOUNTS_CZK = [
  200, 300, 500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 10000, 15000, 20000,
];
const ATM_AMOUNT_CUMULATIVE = cumulativeWeights([3, 3, 12, 18, 5, 16, 4, 10, 5, 11, 3, 3, 5, 1, 1]);

interface PurposeProfile {
  purpose: string;
  weight: number;
  medianCzk: number;
  sigma: number;
  /** which fixed counterparty of the account this purpose pays (0 = a new one each time) */
  counterpartySlot: number;
}

const TRANSFER_OUT_PURPOSES: readonly PurposeProfile[] = [
  { purpose: 'rent', weight: 0.12, medianCzk: 14000, sigma: 0.3, counterpartySlot: 3 },
  { purpose: 'utilities', weight: 0.18, medianCzk: 2200, sigma: 0.4, counterpartySlot: 4 },
  { purpose: 'insurance', weight: 0.1, medianCzk: 900, sigma: 0.5, counterpartySlot: 5 },
  { purpose: 'loan_payment', weight: 0.1, medianCzk: 6000, sigma: 0.5, counterpartySlot: 6 },
  { purpose: 'savings', weight: 0.1, medianCzk: 3000, sigma: 0.7, counterpartySlot: 7 },
  { purpose: 'taxes', weight: 0.03, medianCzk: 3000, sigma: 0.8, counterpartySlot: 8 },
  { purpose: 'transfer', weight: 0.37, medianCzk: 1500, sigma: 1.0, counterpartySlot: 0 },
];
const TRANSFER_IN_PURPOSES: readonly PurposeProfile[] = [
  { purpose: 'salary', weight: 0.45, medianCzk: 36000, sigma: 0.45, counterpartySlot: 1 },
  { purpose: 'pension', weight: 0.08, medianCzk: 18000, sigma: 0.25, counterpartySlot: 2 },
  { purpose: 'transfer', weight: 0.35, medianCzk: 2500, sigma: 1.0, counterpartySlot: 0 },
  { purpose: 'refund', weight: 0.12, medianCzk: 600, sigma: 0.9, counterpartySlot: 0 },
];
const POS_PURPOSES = [
  'groceries',
  'groceries',
  'groceries',
  'fuel',
  'restaurant',
  'pharmacy',
  'clothing',
  'electronics',
];
const ONLINE_PURPOSES = ['e-shop', 'e-shop', 'travel', 'subscription', 'utilities', 'tickets'];
const MOBILE_PURPOSES = ['transport', 'food_delivery', 'parking', 'e-shop', 'subscription'];

/** One ATM withdrawal: whose account and card, at which ATM, how much, and when (time and its bucket). */
interface AtmWithdrawalAttempt {
  account: Account;
  card: Card;
  atm: Atm;
  amountCents: number;
  time: number;
  bucket: number;
}

/** Card payments per category: the channel, what is bought, and the amount's median (CZK) and spread. */
const CARD_PAYMENTS = {
  posPayment: { channel: CHANNEL.pos, purposes: POS_PURPOSES, medianCzk: 320, sigma: 0.9 },
  onlinePayment: { channel: CHANNEL.online, purposes: ONLINE_PURPOSES, medianCzk: 800, sigma: 1.0 },
  mobilePayment: { channel: CHANNEL.mobile, purposes: MOBILE_PURPOSES, medianCzk: 250, sigma: 0.8 },
} as const;

/** Czech bank codes, for counterparty_bank. Pensions are paid through the central bank (0710). */
const BANK_CODES = ['0100', '0300', '0600', '0800', '2010', '2700', '3030', '5500', '6210', '0710'];
const PENSION_BANK = '0710';

/** Below this available amount (balance + overdraft) a customer rarely starts a payment. */
const LOW_FUNDS_CENTS = 500_00;

const ANNUAL_CREDIT_INTEREST = 0.005;
const ANNUAL_OVERDRAFT_INTEREST = 0.149;

/** Probabilities of the random (non-balance) failures, per attempt. */
const P_WRONG_PIN_ATM = 0.012;
const P_WRONG_PIN_POS = 0.004;
const P_ISSUER_DOWN = 0.0015;
const P_NOT_DISPENSED = 0.001;
const P_DO_NOT_HONOUR_ONLINE = 0.006;
const P_DEPOSIT_FAULT = 0.004;

/** Integer hash (lowbias32) for stable per-account counterparties without storing them. */
function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function counterpartyAccountNumber(hashA: number, hashB: number): string {
  const digits = String(hashA % 100000).padStart(5, '0') + String(hashB % 100000).padStart(5, '0');
  const body = digits.replace(/^0+/, '') || '1';
  return hashA % 5 === 0 ? `${(hashB % 990) + 10}-${body}` : body;
}

function pickPurpose(
  prng: Prng,
  cumulative: Float64Array,
  purposes: readonly PurposeProfile[],
): PurposeProfile {
  return purposes[prng.weightedIndex(cumulative)];
}

interface AtmCashState {
  capacityCents: number;
  cashCents: number;
  refillKey: number;
}

export class SyntheticSource {
  readonly network: AtmNetwork;
  readonly book: AccountBook;
  readonly timeline: Timeline;
  readonly fraudIncidents: FraudIncident[];
  /** good transactions this source yields, exactly */
  readonly goodCount: number;

  private readonly prng: Prng;
  private readonly idPrng: Prng;
  private readonly regularPerBucket: Int32Array;
  private readonly interestPerBucket: Int32Array;
  private readonly feePerBucket: Int32Array;
  /** per bucket: cumulative category weights (length CATEGORIES.length) */
  private readonly categoryCumulative: Float64Array[];
  private readonly fraudByBucket = new Map<number, FraudEventPlan[]>();
  private readonly atmCash: AtmCashState[];
  private readonly depositAtmsByCity: number[][];
  private readonly transferOutCumulative = cumulativeWeights(TRANSFER_OUT_PURPOSES.map((p) => p.weight));
  private readonly transferInCumulative = cumulativeWeights(TRANSFER_IN_PURPOSES.map((p) => p.weight));
  private readonly otherCityCumulative = cumulativeWeights(CITIES.map((c) => c.weight));
  private readonly bankCodeSalt: number;
  private scheduledCursor = 0;
  private scheduledStride = 1;

  constructor(options: SimulationOptions) {
    const root = new Prng(`bank-generator:${options.seed}`);
    this.goodCount = options.goodCount;
    this.prng = root.fork('events');
    this.idPrng = root.fork('transaction-ids');
    this.bankCodeSalt = root.fork('counterparties').nextU32();
    this.network = buildAtmNetwork(root.fork('atm-network'), options.atms);
    this.timeline = buildTimeline(options.periodStart, options.days);
    this.book = buildAccountBook(root.fork('accounts'), {
      count: options.accounts,
      periodStart: this.timeline.start,
      periodEnd: this.timeline.end,
    });

    const { buckets } = this.timeline;
    const layoutPrng = root.fork('timeline');
    const bucketWeights = new Float64Array(buckets);
    const atmWeights = new Float64Array(buckets);
    this.categoryCumulative = [];
    const dayNoise = new Map<number, number>();
    for (let b = 0; b < buckets; b++) {
      const weekday = this.timeline.weekday[b];
      const hour = this.timeline.localHour[b];
      const day = this.timeline.localDay[b];
      let noise = dayNoise.get(day);
      if (noise === undefined) {
        noise = layoutPrng.logNormal(1, 0.1);
        dayNoise.set(day, noise);
      }
      // Partial first/last buckets (period not on whole hours) get their share of the hour.
      noise *= layoutPrng.logNormal(1, 0.12) * (this.timeline.span[b] / SECONDS_PER_HOUR);
      const cumulative = new Float64Array(CATEGORIES.length);
      let sum = 0;
      CATEGORIES.forEach((category, c) => {
        sum += category.share * profileWeight(category.profile, weekday, hour);
        cumulative[c] = sum;
      });
      this.categoryCumulative.push(cumulative);
      bucketWeights[b] = sum * noise;
      atmWeights[b] = profileWeight(PROFILES.atm, weekday, hour) * noise;
    }

    // Month-end postings: one interest and one fee line per account (capped), at fixed local hours.
    this.interestPerBucket = new Int32Array(buckets);
    this.feePerBucket = new Int32Array(buckets);
    const scheduledCap = Math.floor(options.goodCount * MAX_SCHEDULED_SHARE);
    let scheduled = 0;
    for (let b = 0; b < buckets; b++) {
      if (!this.timeline.monthEnd[b]) continue;
      const hour = this.timeline.localHour[b];
      if (hour === INTEREST_HOUR)
        this.interestPerBucket[b] = Math.min(scheduledCap, Math.round(options.accounts * 0.9));
      if (hour === FEE_HOUR)
        this.feePerBucket[b] = Math.min(scheduledCap, Math.round(options.accounts * 0.8));
      scheduled += this.interestPerBucket[b] + this.feePerBucket[b];
    }
    if (scheduled > options.goodCount) {
      this.interestPerBucket.fill(0);
      this.feePerBucket.fill(0);
      scheduled = 0;
    }

    const atmCumulative = new Float64Array(buckets);
    let atmSum = 0;
    for (let b = 0; b < buckets; b++) atmCumulative[b] = atmSum += atmWeights[b];
    const fraudTarget = Math.min(
      Math.round(options.goodCount * options.fraudRatio),
      options.goodCount - scheduled,
    );
    this.fraudIncidents = planFraud(root.fork('fraud'), {
      targetEvents: fraudTarget,
      timeline: this.timeline,
      atmBucketCumulative: atmCumulative,
      network: this.network,
      book: this.book,
    });
    let fraudEvents = 0;
    for (const incident of this.fraudIncidents) {
      for (const event of incident.events) {
        const bucket = bucketOf(this.timeline, event.time);
        const list = this.fraudByBucket.get(bucket) ?? [];
        list.push(event);
        this.fraudByBucket.set(bucket, list);
        fraudEvents += 1;
      }
    }

    const regular = options.goodCount - scheduled - fraudEvents;
    this.regularPerBucket = new Int32Array(buckets);
    const totalWeight = bucketWeights.reduce((a, b) => a + b, 0);
    let cumulativeWeight = 0;
    let allocated = 0;
    for (let b = 0; b < buckets; b++) {
      cumulativeWeight += bucketWeights[b];
      const upTo = b === buckets - 1 ? regular : Math.round((regular * cumulativeWeight) / totalWeight);
      this.regularPerBucket[b] = upTo - allocated;
      allocated = upTo;
    }

    // ATM cash: stocked for about 1.8 days of the ATM's expected withdrawals (with seeded spread),
    // refilled every morning at 06:00 local. Busy days empty some of them: "ATM out of cash".
    const shareSum = CATEGORIES.reduce((s, c) => s + c.share, 0);
    const atmEventsPerDay = (regular * (CATEGORIES[ATM_WITHDRAWAL_CATEGORY].share / shareSum)) / options.days;
    const meanAtmAmount = 2900_00;
    const cityWeightSum = CITIES.reduce((s, c) => s + c.weight, 0);
    const cashPrng = root.fork('atm-cash');
    this.atmCash = this.network.atms.map((atm) => {
      const cityPopularity = this.network.byCity[atm.cityIndex].reduce(
        (s, i) => s + this.network.atms[i].popularity,
        0,
      );
      const share = (CITIES[atm.cityIndex].weight / cityWeightSum) * (atm.popularity / cityPopularity);
      const expectedDaily = atmEventsPerDay * share * meanAtmAmount;
      const capacityCents = Math.max(
        20_000_00,
        Math.round((expectedDaily * cashPrng.logNormal(1.8, 0.3)) / 100_000) * 100_000,
      );
      return { capacityCents, cashCents: capacityCents, refillKey: Number.NaN };
    });
    this.depositAtmsByCity = this.network.byCity.map((indexes) =>
      indexes.filter((i) => this.network.atms[i].acceptsDeposits && !this.network.atms[i].openHours),
    );
  }

  /** Yields exactly goodCount transactions in non-decreasing occurred_at order. */
  *records(): Generator<TxnRecord> {
    const { buckets } = this.timeline;
    for (let b = 0; b < buckets; b++) {
      const regular = this.regularPerBucket[b];
      const interest = this.interestPerBucket[b];
      const fees = this.feePerBucket[b];
      const fraud = this.fraudByBucket.get(b) ?? [];
      const total = regular + interest + fees + fraud.length;
      if (total === 0) continue;
      const start = bucketStart(this.timeline, b);
      const low = this.timeline.low[b];
      const span = this.timeline.span[b];
      const keys = new Float64Array(total);
      let k = 0;
      const cumulative = this.categoryCumulative[b];
      for (let i = 0; i < regular; i++)
        keys[k++] = (low + this.prng.int(span)) * CODE_SPACE + this.prng.weightedIndex(cumulative);
      for (let i = 0; i < interest; i++) keys[k++] = (low + this.prng.int(span)) * CODE_SPACE + CODE_INTEREST;
      for (let i = 0; i < fees; i++) keys[k++] = (low + this.prng.int(span)) * CODE_SPACE + CODE_FEE;
      for (let i = 0; i < fraud.length; i++)
        keys[k++] = (fraud[i].time - start) * CODE_SPACE + CODE_FRAUD_BASE + i;
      keys.sort();
      if (interest + fees > 0) this.startScheduledWalk();
      for (let i = 0; i < total; i++) {
        const key = keys[i];
        const offset = Math.floor(key / CODE_SPACE);
        const code = key - offset * CODE_SPACE;
        const time = start + offset;
        if (code >= CODE_FRAUD_BASE) yield this.fraudWithdrawal(fraud[code - CODE_FRAUD_BASE], b, time);
        else if (code === CODE_INTEREST) yield this.interestPosting(time);
        else if (code === CODE_FEE) yield this.feePosting(time);
        else yield this.regularEvent(CATEGORIES[code].key, b, time);
      }
    }
  }

  // ---- building blocks ----

  private baseRecord(
    account: Account,
    time: number,
    type: TxnType,
    operation: Operation,
    amountCents: number,
    channel: Channel,
  ): TxnRecord {
    return {
      transactionId: this.idPrng.uuid(),
      accountId: account.id,
      occurredAt: formatIsoSeconds(time),
      type,
      operation,
      amountCents,
      currency: CURRENCY,
      balanceAfterCents: account.balanceCents,
      channel,
      status: MESSAGES.approved.status,
      ...NO_ATTACHMENTS,
      counterpartyBank: null,
      counterpartyAccount: null,
      purpose: null,
    };
  }

  /** Applies the outcome: on success moves the money; on failure the balance stays as it was. */
  private settle(
    record: TxnRecord,
    account: Account,
    outcome: ProcessorMessage | null,
    withMessage: boolean,
  ): TxnRecord {
    const message = outcome ?? MESSAGES.approved;
    record.status = message.status;
    if (message === MESSAGES.approved) {
      account.balanceCents += record.type === TYPE.credit ? record.amountCents : -record.amountCents;
    }
    record.balanceAfterCents = account.balanceCents;
    if (withMessage || message !== MESSAGES.approved) {
      record.messageCode = message.code;
      record.messageFragment = message.fragment;
    }
    return record;
  }

  private attachAtm(record: TxnRecord, atm: Atm): void {
    record.atmId = atm.id;
    record.atmFragment = atm.jsonFragment;
  }

  private attachCard(record: TxnRecord, card: Card): void {
    record.cardType = card.type.name;
    record.cardFragment = card.jsonFragment;
  }

  private fundsAvailable(account: Account, amountCents: number): boolean {
    return amountCents <= this.available(account);
  }

  private pickAccount(needsCard: boolean, spending = false): Account {
    let account = this.drawAccount(needsCard);
    // Customers who are (nearly) out of money spend less often: mostly someone else makes this payment.
    for (let retry = 0; spending && retry < 2 && this.available(account) < LOW_FUNDS_CENTS; retry++) {
      if (this.prng.chance(0.8)) account = this.drawAccount(needsCard);
    }
    return account;
  }

  private drawAccount(needsCard: boolean): Account {
    const { book } = this;
    if (needsCard && book.pickCardHolder)
      return book.accounts[book.cardHolders[book.pickCardHolder.sample(this.prng)]];
    return book.accounts[book.pickAny.sample(this.prng)];
  }

  private available(account: Account): number {
    return account.balanceCents + account.overdraftLimitCents;
  }

  private atmCityFor(account: Account): number {
    // Mostly near home; sometimes travelling.
    return this.prng.chance(0.88) ? account.homeCityIndex : this.prng.weightedIndex(this.otherCityCumulative);
  }

  private atmCashFor(atm: Atm, time: number, bucket: number): AtmCashState {
    const state = this.atmCash[atm.index];
    const refillKey = Math.floor(
      (time + this.timeline.utcOffset[bucket] - 6 * SECONDS_PER_HOUR) / SECONDS_PER_DAY,
    );
    if (refillKey !== state.refillKey) {
      state.refillKey = refillKey;
      state.cashCents = state.capacityCents;
    }
    return state;
  }

  private atmAmount(account: Account, card: Card): number {
    const wanted = Math.min(
      ATM_AMOUNTS_CZK[this.prng.weightedIndex(ATM_AMOUNT_CUMULATIVE)] * 100,
      card.type.perWithdrawalMaxCents,
    );
    const available = this.available(account);
    // Most people know their balance and ask for what they can get; some try anyway (-> code 51).
    if (wanted <= available || this.prng.chance(0.3)) return wanted;
    let affordable = 0;
    for (const czk of ATM_AMOUNTS_CZK) if (czk * 100 <= available) affordable = czk * 100;
    return affordable > 0 ? affordable : wanted;
  }

  private paymentAmount(medianCzk: number, sigma: number): number {
    const cents = Math.max(100, Math.round(this.prng.logNormal(medianCzk, sigma) * 100));
    const shape = this.prng.next();
    if (shape < 0.4) return Math.max(100, Math.round(cents / 100) * 100);
    if (shape < 0.6) return Math.floor(cents / 100) * 100 + 90;
    return cents;
  }

  private counterparty(record: TxnRecord, account: Account, slot: number): void {
    const a = slot === 0 ? this.prng.nextU32() : mix32(account.index * 16 + slot + this.bankCodeSalt);
    const b = mix32(a ^ 0x9e3779b9);
    record.counterpartyBank = slot === 2 ? PENSION_BANK : BANK_CODES[a % (BANK_CODES.length - 1)];
    record.counterpartyAccount = counterpartyAccountNumber(a, b);
  }

  /** ATM withdrawal authorisation, shared by regular and fraud withdrawals. */
  private authoriseAtmWithdrawal(
    { account, card, atm, amountCents, time, bucket }: AtmWithdrawalAttempt,
    randomFailures: boolean,
  ): ProcessorMessage | null {
    const cash = this.atmCashFor(atm, time, bucket);
    if (time >= card.expiresAt) return MESSAGES.expiredCard;
    if (amountCents > cash.cashCents) return MESSAGES.atmOutOfCash;
    if (randomFailures && this.prng.chance(P_WRONG_PIN_ATM)) {
      card.wrongPinStreak += 1;
      if (card.wrongPinStreak >= 3) {
        card.wrongPinStreak = 0;
        return MESSAGES.pinTriesExceeded;
      }
      return MESSAGES.wrongPin;
    }
    card.wrongPinStreak = 0;
    const day = this.timeline.localDay[bucket];
    if (card.atmDay !== day) {
      card.atmDay = day;
      card.atmDayTotalCents = 0;
    }
    if (card.atmDayTotalCents + amountCents > card.type.dailyAtmLimitCents) return MESSAGES.limitExceeded;
    if (!this.fundsAvailable(account, amountCents)) return MESSAGES.insufficientFunds;
    if (randomFailures && this.prng.chance(P_ISSUER_DOWN)) return MESSAGES.issuerUnavailable;
    if (randomFailures && this.prng.chance(P_NOT_DISPENSED)) return MESSAGES.cashNotDispensed;
    card.atmDayTotalCents += amountCents;
    cash.cashCents -= amountCents;
    return null;
  }

  private atmWithdrawal(attempt: AtmWithdrawalAttempt, fraud: boolean): TxnRecord {
    const { account, card, atm, amountCents, time } = attempt;
    // Withdrawals charged to a card's credit line are card_withdrawal; from the account, cash_withdrawal.
    const operation = !fraud && this.prng.chance(0.12) ? OPERATION.cardWithdrawal : OPERATION.cashWithdrawal;
    const record = this.baseRecord(account, time, TYPE.debit, operation, amountCents, CHANNEL.atm);
    this.attachAtm(record, atm);
    this.attachCard(record, card);
    const outcome = this.authoriseAtmWithdrawal(attempt, !fraud);
    return this.settle(record, account, outcome, true);
  }

  private fraudWithdrawal(event: FraudEventPlan, bucket: number, time: number): TxnRecord {
    const incident = this.fraudIncidents[event.incidentIndex];
    const account = this.book.accounts[incident.accountIndex];
    const atm = this.network.atms[event.atmIndex];
    if (!account.card) throw new Error('internal: fraud incidents are planned for card holders only');
    const attempt = { account, card: account.card, atm, amountCents: event.amountCents, time, bucket };
    const record = this.atmWithdrawal(attempt, true);
    incident.outcomes.push({
      transaction_id: record.transactionId,
      occurred_at: record.occurredAt,
      atm_id: atm.id,
      city: atm.city,
      amount: centsToDecimalText(record.amountCents),
      status: record.status,
      message_code: record.messageCode ?? MESSAGES.approved.code,
    });
    return record;
  }

  private cardPayment(
    account: Account,
    card: Card,
    time: number,
    channel: Channel,
    purpose: string,
    amountCents: number,
  ): TxnRecord {
    const record = this.baseRecord(account, time, TYPE.debit, OPERATION.payment, amountCents, channel);
    this.attachCard(record, card);
    record.purpose = purpose;
    let result: ProcessorMessage | null = null;
    if (time >= card.expiresAt) result = MESSAGES.expiredCard;
    else if (channel === CHANNEL.pos && this.prng.chance(P_WRONG_PIN_POS)) result = MESSAGES.wrongPin;
    else if (channel !== CHANNEL.pos && this.prng.chance(P_DO_NOT_HONOUR_ONLINE))
      result = MESSAGES.doNotHonour;
    else if (!this.fundsAvailable(account, amountCents)) result = MESSAGES.insufficientFunds;
    else if (this.prng.chance(P_ISSUER_DOWN)) result = MESSAGES.issuerUnavailable;
    return this.settle(record, account, result, true);
  }

  private regularEvent(category: CategoryKey, bucket: number, time: number): TxnRecord {
    const hour = this.timeline.localHour[bucket];
    switch (category) {
      case 'atmWithdrawal': {
        const account = this.pickAccount(true, true);
        if (!account.card) return this.branchCash(account, time, false);
        const atm = pickAtmInCity(this.network, this.prng, this.atmCityFor(account), hour);
        const amountCents = this.atmAmount(account, account.card);
        return this.atmWithdrawal({ account, card: account.card, atm, amountCents, time, bucket }, false);
      }
      case 'atmDeposit': {
        const account = this.pickAccount(true);
        if (!account.card) return this.branchCash(account, time, true);
        const deposits = this.depositAtmsByCity[account.homeCityIndex];
        const atm =
          this.network.atms[
            deposits.length > 0
              ? this.prng.pick(deposits)
              : this.network.alwaysOpenByCity[account.homeCityIndex][0]
          ];
        const amount = Math.max(100, Math.round(this.prng.logNormal(3000, 0.8) / 100) * 100) * 100;
        const record = this.baseRecord(
          account,
          time,
          TYPE.credit,
          OPERATION.cashDeposit,
          amount,
          CHANNEL.atm,
        );
        this.attachAtm(record, atm);
        this.attachCard(record, account.card);
        const fault = this.prng.chance(P_DEPOSIT_FAULT) ? MESSAGES.depositModuleFault : null;
        return this.settle(record, account, fault, true);
      }
      case 'branchDeposit':
        return this.branchCash(this.pickAccount(false), time, true);
      case 'branchWithdrawal':
        return this.branchCash(this.pickAccount(false, true), time, false);
      case 'posPayment':
      case 'onlinePayment':
      case 'mobilePayment': {
        const account = this.pickAccount(true, true);
        if (!account.card) return this.transferOut(account, time, hour);
        const payment = CARD_PAYMENTS[category];
        return this.cardPayment(
          account,
          account.card,
          time,
          payment.channel,
          this.prng.pick(payment.purposes),
          this.paymentAmount(payment.medianCzk, payment.sigma),
        );
      }
      case 'transferOut':
        return this.transferOut(this.pickAccount(false, true), time, hour);
      case 'transferIn':
        return this.transferIn(this.pickAccount(false), time);
    }
  }

  private branchCash(account: Account, time: number, deposit: boolean): TxnRecord {
    const amount = deposit
      ? Math.max(100, Math.round(this.prng.logNormal(6000, 1.0))) * 100
      : Math.max(1000, Math.round(this.prng.logNormal(7000, 0.8) / 100) * 100) * 100;
    const type = deposit ? TYPE.credit : TYPE.debit;
    const operation = deposit ? OPERATION.cashDeposit : OPERATION.cashWithdrawal;
    const record = this.baseRecord(account, time, type, operation, amount, CHANNEL.branch);
    const refusal = deposit || this.fundsAvailable(account, amount) ? null : MESSAGES.insufficientFunds;
    return this.settle(record, account, refusal, false);
  }

  private transferOut(account: Account, time: number, localHour: number): TxnRecord {
    const purpose = pickPurpose(this.prng, this.transferOutCumulative, TRANSFER_OUT_PURPOSES);
    const roll = this.prng.next();
    const branchOpen = localHour >= 8 && localHour < 17;
    const channel =
      roll < 0.55 ? CHANNEL.online : roll < 0.9 || !branchOpen ? CHANNEL.mobile : CHANNEL.branch;
    const amount = this.paymentAmount(purpose.medianCzk, purpose.sigma);
    const record = this.baseRecord(account, time, TYPE.debit, OPERATION.transferOut, amount, channel);
    this.counterparty(record, account, purpose.counterpartySlot);
    record.purpose = purpose.purpose;
    return this.settle(
      record,
      account,
      this.fundsAvailable(account, amount) ? null : MESSAGES.insufficientFunds,
      false,
    );
  }

  private transferIn(account: Account, time: number): TxnRecord {
    const purpose = pickPurpose(this.prng, this.transferInCumulative, TRANSFER_IN_PURPOSES);
    const amount = this.paymentAmount(purpose.medianCzk, purpose.sigma);
    // Incoming interbank transfers arrive electronically: channel online.
    const record = this.baseRecord(account, time, TYPE.credit, OPERATION.transferIn, amount, CHANNEL.online);
    this.counterparty(record, account, purpose.counterpartySlot);
    record.purpose = purpose.purpose;
    return this.settle(record, account, null, false);
  }

  /** Month-end postings walk the accounts with a random start and stride: each account at most once. */
  private startScheduledWalk(): void {
    const n = this.book.accounts.length;
    this.scheduledCursor = this.prng.int(n);
    let stride = 1 + this.prng.int(Math.max(1, n - 1));
    while (gcd(stride, n) !== 1) stride += 1;
    this.scheduledStride = stride;
  }

  private nextScheduledAccount(accept: (account: Account) => boolean): Account {
    const n = this.book.accounts.length;
    for (let tries = 0; tries < n; tries++) {
      const account = this.book.accounts[this.scheduledCursor];
      this.scheduledCursor = (this.scheduledCursor + this.scheduledStride) % n;
      if (accept(account)) return account;
    }
    return this.book.accounts[this.scheduledCursor];
  }

  private interestPosting(time: number): TxnRecord {
    // Accounts at exactly zero earn and owe nothing; skip them.
    const account = this.nextScheduledAccount((a) => a.balanceCents !== 0);
    const balance = account.balanceCents;
    const credit = balance > 0;
    const rate = credit ? ANNUAL_CREDIT_INTEREST : ANNUAL_OVERDRAFT_INTEREST;
    const amount = Math.max(1, Math.round((Math.abs(balance) * rate) / 12));
    const record = this.baseRecord(
      account,
      time,
      credit ? TYPE.credit : TYPE.debit,
      OPERATION.interest,
      amount,
      CHANNEL.branch,
    );
    record.purpose = credit ? 'interest_credited' : 'overdraft_interest';
    return this.settle(record, account, null, false);
  }

  private feePosting(time: number): TxnRecord {
    const account = this.nextScheduledAccount((a) => a.monthlyFeeCents > 0);
    const fee = Math.max(1, account.monthlyFeeCents);
    const record = this.baseRecord(account, time, TYPE.debit, OPERATION.fee, fee, CHANNEL.branch);
    record.purpose = 'account_fee';
    // Fees are booked even into overdraft: the bank does not decline its own charges.
    return this.settle(record, account, null, false);
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
