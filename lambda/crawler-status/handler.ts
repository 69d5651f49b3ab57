import { GlueClient } from '@aws-sdk/client-glue';
import { clientConfig } from '../shared/clients';
import { integerEnv, requireEnv } from '../shared/config';
import { fromPowertools } from '../shared/log';
import { createObservability, runInvocation } from '../shared/powertools';
import { createGlueCrawlerInspector } from './aws-ports';
import { type CrawlerStatusResult, CrawlerFailedError, checkCrawler } from './crawler-status';

/** crawler-status: one poll of the processed crawler, called by the state machine's wait loop. */
const { logger, metrics, tracer } = createObservability('crawler-status');
const inspector = createGlueCrawlerInspector(tracer.captureAWSv3Client(new GlueClient(clientConfig())));
const settings = {
  crawlerName: requireEnv(process.env, 'CRAWLER_NAME', 'the name of the processed-zone Glue crawler'),
  maxPolls: integerEnv(process.env, 'MAX_POLLS', 'the polls after which the crawl is considered stuck', {
    min: 1,
    max: 1000,
    fallback: 60,
  }),
};

export async function handler(event: unknown): Promise<CrawlerStatusResult> {
  const failure = {
    message: 'crawler check failed',
    metric: 'CrawlerFailures',
    counts: (error: unknown) => error instanceof CrawlerFailedError,
  };
  return runInvocation({ logger, metrics }, failure, () =>
    checkCrawler(event, inspector, settings, fromPowertools(logger)),
  );
}
