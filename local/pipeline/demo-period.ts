/**
 * The simulated period of each demo seed: six calendar months, each seed's after the one before.
 *
 * Why consecutive and apart: every seed numbers its accounts and cards from 1 (CARD-00000001 ...),
 * so two seeds share card ids. The batch computes its fraud report over every processed transaction, and
 * the live consumer keeps each card's recent history; if two seeds overlapped in time, a card's
 * transactions of the later seed would reach the live consumer far older than those it already
 * holds (beyond the rules' out-of-order tolerance) and the two answers would differ. Periods that
 * follow each other, apart by more than the longest rule window, keep every seed's alerts its own on
 * both sides, and the monthly trend grows by six months a run.
 */

const DAY_MS = 86_400_000;

/** Months of transactions one demo run generates. */
export const DEMO_PERIOD_MONTHS = 6;

/** Where the first seed of a twin starts: far enough back for many runs before the present. */
export const FIRST_PERIOD_START = new Date('2016-01-01T00:00:00Z');

/** A seed's simulated period as the generator takes it (--start, --days). */
export interface DemoPeriod {
  /** UTC midnight of the first day, `2016-01-01`. */
  readonly start: string;
  readonly days: number;
}

/** The event-time span of a seed's transactions, from its generator summary. */
export interface SeedEventSpan {
  /** ISO 8601: first_occurred_at of the summary. */
  readonly first: string;
  /** ISO 8601: last_occurred_at of the summary. */
  readonly last: string;
}

/**
 * The period of the next seed: it starts on the first day of a month, after the last transaction
 * of every earlier seed by more than `longestRuleWindowSeconds`, and lasts DEMO_PERIOD_MONTHS
 * months less one day (so that the seed after it can start on the next month's first day). A period
 * that would end after `now` is refused: the batch quarantines transactions from the future.
 */
export function nextDemoPeriod(
  earlier: readonly SeedEventSpan[],
  longestRuleWindowSeconds: number,
  now: Date,
): DemoPeriod {
  const lastEvent = Math.max(...earlier.map((span) => Date.parse(span.last)), -Infinity);
  const start =
    lastEvent === -Infinity
      ? FIRST_PERIOD_START
      : firstOfMonthAtOrAfter(new Date(lastEvent + longestRuleWindowSeconds * 1000 + 1000));
  const end = addMonths(start, DEMO_PERIOD_MONTHS);
  const days = Math.round((end.getTime() - start.getTime()) / DAY_MS) - 1;
  const periodEnd = new Date(start.getTime() + days * DAY_MS);
  if (periodEnd.getTime() > now.getTime()) {
    throw new Error(
      `the next demo run would generate ${start.toISOString().slice(0, 10)} to ` +
        `${periodEnd.toISOString().slice(0, 10)}, which ends after today: each run adds the ` +
        `${DEMO_PERIOD_MONTHS} months after the previous run's, and the batch quarantines future ` +
        'transactions. `make clean` starts this twin over from ' +
        FIRST_PERIOD_START.toISOString().slice(0, 10),
    );
  }
  return { start: start.toISOString().slice(0, 10), days };
}

function firstOfMonthAtOrAfter(instant: Date): Date {
  const first = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), 1));
  return first.getTime() === instant.getTime() ? first : addMonths(first, 1);
}

function addMonths(monthStart: Date, months: number): Date {
  return new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + months, 1));
}
