import { GetCrawlerCommand, type GlueClient } from '@aws-sdk/client-glue';
import { PermanentError } from '../shared/errors';
import type { CrawlerInspector, CrawlerSnapshot } from './crawler-status';

/** CrawlerInspector on the Glue API. */
export function createGlueCrawlerInspector(glue: GlueClient): CrawlerInspector {
  return {
    async getCrawler(name: string): Promise<CrawlerSnapshot> {
      const { Crawler: crawler } = await glue.send(new GetCrawlerCommand({ Name: name }));
      if (crawler?.State === undefined) {
        throw new PermanentError(`Glue returned no state for crawler ${name}`);
      }
      const last = crawler.LastCrawl;
      return {
        state: crawler.State,
        lastCrawl: last?.Status
          ? { status: last.Status, startedAt: last.StartTime, errorMessage: last.ErrorMessage }
          : undefined,
      };
    },
  };
}
