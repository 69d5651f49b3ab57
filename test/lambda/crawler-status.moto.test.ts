import {
  CreateCrawlerCommand,
  GlueClient,
  ListCrawlsCommand,
  StartCrawlerCommand,
} from '@aws-sdk/client-glue';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGlueCrawlerInspector } from '../../lambda/crawler-status/aws-ports';
import { checkCrawler, type CrawlerInspector } from '../../lambda/crawler-status/crawler-status';
import { fastRetry, memoryLog, motoPerFile } from './aws-test-helpers';

/**
 * The crawler-status adapter (lambda/crawler-status/aws-ports.ts) with the real
 * AWS SDK against a moto server's Glue catalog API (GetCrawler).
 *
 * moto tracks a crawler's State (READY / RUNNING / STOPPING) and its last
 * crawl's start time like Glue, but reports a finished crawl as COMPLETED or
 * STOPPED where Glue says SUCCEEDED, CANCELLED or FAILED. The logic's
 * SUCCEEDED / FAILED branches therefore stay in crawler-status.test.ts
 * (aws-sdk-client-mock); here the adapter must carry whatever Glue returns
 * through unchanged.
 */

const CRAWLER = 'dev-bankpipe-processed';

const aws = motoPerFile((moto) => ({ glue: new GlueClient(moto.clientConfig()) }));
let inspector: CrawlerInspector;

beforeAll(() => {
  inspector = createGlueCrawlerInspector(aws.glue);
});

beforeEach(async () => {
  // A crawl stays RUNNING until finishCrawl().
  await aws.moto.setTransition('glue::crawl', { progression: 'manual', times: 1 });
  await aws.glue.send(
    new CreateCrawlerCommand({
      Name: CRAWLER,
      Role: 'arn:aws:iam::123456789012:role/processed-crawler',
      DatabaseName: 'dev_bank',
      Targets: { S3Targets: [{ Path: 's3://dev-processed/transactions/' }] },
    }),
  );
});

/** moto moves a manually progressed crawl on when its crawls are listed. */
async function finishCrawl(): Promise<void> {
  await aws.glue.send(new ListCrawlsCommand({ CrawlerName: CRAWLER }));
}

describe('getCrawler (Glue GetCrawler)', () => {
  it('reads an idle crawler that never ran as READY without a last crawl', async () => {
    await expect(inspector.getCrawler(CRAWLER)).resolves.toEqual({ state: 'READY', lastCrawl: undefined });
  });

  it('reads a running crawl with its start time as a Date', async () => {
    const before = Date.now();
    await aws.glue.send(new StartCrawlerCommand({ Name: CRAWLER }));
    const snapshot = await inspector.getCrawler(CRAWLER);
    expect(snapshot.state).toBe('RUNNING');
    expect(snapshot.lastCrawl?.status).toBe('RUNNING');
    expect(snapshot.lastCrawl?.startedAt).toBeInstanceOf(Date);
    // Whole seconds on the wire: allow for the truncation.
    expect(snapshot.lastCrawl?.startedAt?.getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('reads the crawler idle again, with the finished crawl as its last crawl', async () => {
    await aws.glue.send(new StartCrawlerCommand({ Name: CRAWLER }));
    await finishCrawl();
    const snapshot = await inspector.getCrawler(CRAWLER);
    expect(snapshot.state).toBe('READY');
    // moto's name for a successful crawl (Glue: SUCCEEDED), passed through as it came.
    expect(snapshot.lastCrawl?.status).toBe('COMPLETED');
  });

  it('lets a missing crawler fail as the SDK reports it', async () => {
    await expect(inspector.getCrawler('no-such-crawler')).rejects.toMatchObject({
      name: 'EntityNotFoundException',
    });
  });
});

describe('checkCrawler over the real adapter', () => {
  const settings = { crawlerName: CRAWLER, maxPolls: 5, retry: fastRetry() };

  it('keeps polling while the crawl this run started is running', async () => {
    const startedAfter = new Date(Date.now() - 2_000).toISOString();
    await aws.glue.send(new StartCrawlerCommand({ Name: CRAWLER }));
    await expect(checkCrawler({ startedAfter, polls: 0 }, inspector, settings, memoryLog())).resolves.toEqual(
      {
        done: false,
        polls: 1,
        state: 'RUNNING',
        lastCrawlStatus: 'RUNNING',
      },
    );
  });

  it('does not take an idle crawler whose last crawl is older than the run for this run', async () => {
    await aws.glue.send(new StartCrawlerCommand({ Name: CRAWLER }));
    await finishCrawl();
    const startedAfter = new Date(Date.now() + 60_000).toISOString();
    await expect(
      checkCrawler({ startedAfter, polls: 2 }, inspector, settings, memoryLog()),
    ).resolves.toMatchObject({
      done: false,
      polls: 3,
      state: 'READY',
    });
  });
});
