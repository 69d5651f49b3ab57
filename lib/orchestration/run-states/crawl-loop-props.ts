import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

export interface CrawlLoopProps {
  /** The crawler of the processed zone. */
  readonly processedCrawlerName: string;
  /** Reports whether the crawl started by this execution has finished. */
  readonly crawlerStatusFunction: lambda.IFunction;
  /**
   * Pause between two crawler polls.
   * @default Duration.seconds(60)
   */
  readonly pollInterval?: Duration;
}
