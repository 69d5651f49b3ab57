import { PermanentError } from '../shared/errors';
import type { RunLog } from '../shared/log';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from '../shared/retry';

/** What the Glue API says about a crawler (the fields used). */
export interface CrawlerSnapshot {
  /** READY (idle), RUNNING or STOPPING. */
  readonly state: string;
  readonly lastCrawl?: {
    /** SUCCEEDED, CANCELLED or FAILED. */
    readonly status: string;
    readonly startedAt?: Date;
    readonly errorMessage?: string;
  };
}

export interface CrawlerInspector {
  getCrawler(name: string): Promise<CrawlerSnapshot>;
}

export interface CrawlerStatusSettings {
  readonly crawlerName: string;
  /** Polls after which a crawl still not finished fails the run (the state machine waits between polls). */
  readonly maxPolls: number;
  readonly retry?: RetryOptions;
}

/** Input from the state machine: when this run started the crawler, and how many polls so far. */
export interface CrawlerStatusInput {
  /** ISO time at or before which this run's crawl started (the execution's start time). */
  readonly startedAfter: string;
  readonly polls?: number;
}

export interface CrawlerStatusResult {
  readonly done: boolean;
  readonly polls: number;
  readonly state: string;
  readonly lastCrawlStatus?: string;
}

/** The crawl failed or was cancelled; the catalog may miss this run's partitions. */
export class CrawlerFailedError extends PermanentError {
  override readonly name = 'CrawlerFailedError';
}

/** The crawl did not finish within the allowed polls. */
export class CrawlerTimeoutError extends PermanentError {
  override readonly name = 'CrawlerTimeoutError';
}

/**
 * One poll of the processed-zone crawler. Glue has no `.sync` integration for
 * crawlers, so the state machine calls this between Wait states until `done`.
 *
 * "Done" means the crawler is idle again AND its last crawl began at or after
 * this run started it: right after StartCrawler the crawler can still report
 * READY with the previous crawl's result, which must not count as ours.
 */
export async function checkCrawler(
  input: unknown,
  inspector: CrawlerInspector,
  settings: CrawlerStatusSettings,
  log: RunLog,
): Promise<CrawlerStatusResult> {
  const { startedAfter, polls } = readInput(input);
  const retry = settings.retry ?? DEFAULT_RETRY;
  const snapshot = await withRetry(
    `reading crawler ${settings.crawlerName}`,
    () => inspector.getCrawler(settings.crawlerName),
    {
      ...retry,
      onRetry: ({ attempt, delayMs, error }) =>
        log.warn('retrying crawler read', { attempt, delayMs, error: error.message }),
    },
  );
  const pollCount = polls + 1;
  const last = snapshot.lastCrawl;
  const lastIsOurs = last?.startedAt !== undefined && last.startedAt.getTime() >= startedAfter.getTime();
  const result: CrawlerStatusResult = {
    done: false,
    polls: pollCount,
    state: snapshot.state,
    lastCrawlStatus: last?.status,
  };

  if (snapshot.state === 'READY' && lastIsOurs) {
    if (last.status === 'SUCCEEDED') {
      log.info('crawler finished', { crawler: settings.crawlerName, polls: pollCount });
      return { ...result, done: true };
    }
    throw new CrawlerFailedError(
      `crawler ${settings.crawlerName} ended with ${last.status}${last.errorMessage ? `: ${last.errorMessage}` : ''}; ` +
        'see its CloudWatch logs (/aws-glue/crawlers) and fix the cause before re-running the window',
    );
  }
  if (pollCount >= settings.maxPolls) {
    throw new CrawlerTimeoutError(
      `crawler ${settings.crawlerName} has not finished after ${pollCount} polls (state ${snapshot.state}); ` +
        'it may be stuck or the processed zone much larger than usual',
    );
  }
  log.info('crawler still working', {
    crawler: settings.crawlerName,
    state: snapshot.state,
    polls: pollCount,
  });
  return result;
}

function readInput(input: unknown): { startedAfter: Date; polls: number } {
  const i = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const startedAfter = typeof i.startedAfter === 'string' ? new Date(i.startedAfter) : undefined;
  if (startedAfter === undefined || Number.isNaN(startedAfter.getTime())) {
    throw new PermanentError(
      `crawler-status needs {"startedAfter": "<ISO time>", "polls": n}, got ${JSON.stringify(input)?.slice(0, 200)}`,
    );
  }
  const polls = i.polls ?? 0;
  if (typeof polls !== 'number' || !Number.isInteger(polls) || polls < 0) {
    throw new PermanentError(
      `crawler-status: polls must be a whole number >= 0, got ${JSON.stringify(i.polls)}`,
    );
  }
  return { startedAfter, polls };
}
