import { GetCrawlerCommand, GlueClient } from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import { createGlueCrawlerInspector } from '../../lambda/crawler-status/aws-ports';
import {
  CrawlerFailedError,
  CrawlerTimeoutError,
  checkCrawler,
} from '../../lambda/crawler-status/crawler-status';
import { RetryableError } from '../../lambda/shared/errors';
import { awsError, fastRetry, memoryLog, mockSdkClient } from './aws-test-helpers';

const glue = mockSdkClient(GlueClient);
const inspector = createGlueCrawlerInspector(new GlueClient({}));
const settings = { crawlerName: 'processed-crawler', maxPolls: 5, retry: fastRetry() };
const STARTED = '2024-05-01T11:00:00Z';

function crawler(state: string, lastStatus?: string, lastStart?: string, errorMessage?: string): void {
  glue.on(GetCrawlerCommand).resolves({
    Crawler: {
      Name: 'processed-crawler',
      State: state as never,
      LastCrawl: lastStatus
        ? {
            Status: lastStatus as never,
            StartTime: new Date(lastStart ?? STARTED),
            ErrorMessage: errorMessage,
          }
        : undefined,
    },
  });
}

beforeEach(() => glue.reset());

describe('crawler-status', () => {
  it('is done when the crawler is idle again after a successful crawl that began in this run', async () => {
    crawler('READY', 'SUCCEEDED', '2024-05-01T11:05:00Z');
    const result = await checkCrawler({ startedAfter: STARTED, polls: 2 }, inspector, settings, memoryLog());
    expect(result).toMatchObject({ done: true, polls: 3 });
    expect(glue.commandCalls(GetCrawlerCommand)[0].args[0].input).toEqual({ Name: 'processed-crawler' });
  });

  it('keeps waiting while the crawler runs, counting polls', async () => {
    crawler('RUNNING', 'SUCCEEDED', '2024-04-30T11:05:00Z');
    const result = await checkCrawler({ startedAfter: STARTED }, inspector, settings, memoryLog());
    expect(result).toMatchObject({ done: false, polls: 1, state: 'RUNNING' });
  });

  it('does not take the previous crawl (before this run) for ours', async () => {
    crawler('READY', 'SUCCEEDED', '2024-05-01T10:00:00Z');
    const result = await checkCrawler({ startedAfter: STARTED, polls: 0 }, inspector, settings, memoryLog());
    expect(result.done).toBe(false);
  });

  it('fails the run when this run’s crawl failed, quoting Glue', async () => {
    crawler('READY', 'FAILED', '2024-05-01T11:05:00Z', 'Insufficient Lake Formation permission');
    const attempt = checkCrawler({ startedAfter: STARTED }, inspector, settings, memoryLog());
    await expect(attempt).rejects.toThrow(CrawlerFailedError);
    await expect(attempt).rejects.toThrow(/ended with FAILED: Insufficient Lake Formation permission/);
  });

  it('bounds the wait loop: too many polls is a timeout', async () => {
    crawler('RUNNING');
    await expect(
      checkCrawler({ startedAfter: STARTED, polls: 4 }, inspector, settings, memoryLog()),
    ).rejects.toThrow(CrawlerTimeoutError);
  });

  it('retries throttling, then answers', async () => {
    glue
      .on(GetCrawlerCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .resolves({ Crawler: { Name: 'processed-crawler', State: 'RUNNING' } });
    const retry = fastRetry();
    const result = await checkCrawler(
      { startedAfter: STARTED },
      inspector,
      { ...settings, retry },
      memoryLog(),
    );
    expect(result.done).toBe(false);
    expect(retry.sleeps).toHaveLength(1);
  });

  it('surfaces persistent throttling as RetryableError', async () => {
    glue.on(GetCrawlerCommand).rejects(awsError('ThrottlingException', 400));
    await expect(checkCrawler({ startedAfter: STARTED }, inspector, settings, memoryLog())).rejects.toThrow(
      RetryableError,
    );
  });

  it('reports a missing crawler or bad input clearly', async () => {
    glue
      .on(GetCrawlerCommand)
      .rejects(
        awsError('EntityNotFoundException', 400, 'Crawler entry with name processed-crawler does not exist'),
      );
    await expect(checkCrawler({ startedAfter: STARTED }, inspector, settings, memoryLog())).rejects.toThrow(
      /reading crawler processed-crawler failed: EntityNotFoundException/,
    );
    await expect(checkCrawler({ polls: 1 }, inspector, settings, memoryLog())).rejects.toThrow(
      /needs \{"startedAfter"/,
    );
  });
});
