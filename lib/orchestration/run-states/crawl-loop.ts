import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { CrawlLoopProps } from './crawl-loop-props';
import { lambdaInvokeState } from './lambda-invoke-state';
import { crawlerBusyRetry, glueApiRetry } from './run-retries';
import { RUN_STATES } from './run-state-names';
import { type CatchIntoFailurePath, integrationArn, taskState } from './run-task';

/**
 * Starts the processed crawler and polls it until it has finished (Glue has no .sync for
 * crawlers), then goes on to `whenCrawled`. Progress is kept in `$.crawl`.
 */
export function crawlLoop(
  scope: Construct,
  props: CrawlLoopProps,
  catchIntoFailurePath: CatchIntoFailurePath,
  whenCrawled: sfn.IChainable,
): sfn.Chain {
  const startCrawler = catchIntoFailurePath(
    taskState(scope, RUN_STATES.startCrawler, {
      Resource: integrationArn(scope, 'aws-sdk:glue:startCrawler'),
      Parameters: { Name: props.processedCrawlerName },
      ResultSelector: { polls: 0, done: false },
      ResultPath: '$.crawl',
    }),
  );
  startCrawler.addRetry(crawlerBusyRetry());
  startCrawler.addRetry(glueApiRetry());

  const waitForCrawler = new sfn.Wait(scope, 'WaitForCrawler', {
    stateName: RUN_STATES.waitForCrawler,
    time: sfn.WaitTime.duration(props.pollInterval ?? Duration.seconds(60)),
  });
  // The function throws CrawlerFailedError / CrawlerTimeoutError, so the loop is bounded.
  const checkCrawler = catchIntoFailurePath(
    lambdaInvokeState(
      scope,
      RUN_STATES.checkCrawler,
      props.crawlerStatusFunction,
      { Payload: { 'startedAfter.$': '$$.Execution.StartTime', 'polls.$': '$.crawl.polls' } },
      { selector: { 'done.$': '$.Payload.done', 'polls.$': '$.Payload.polls' }, path: '$.crawl' },
    ),
  );
  const crawlerDone = new sfn.Choice(scope, 'CrawlerDone', { stateName: RUN_STATES.crawlerDone })
    .when(sfn.Condition.booleanEquals('$.crawl.done', true), whenCrawled)
    .otherwise(waitForCrawler);

  return startCrawler.next(waitForCrawler).next(checkCrawler).next(crawlerDone);
}
