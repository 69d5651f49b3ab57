import { describe, expect, it } from 'vitest';
import { loadStageConfig, type StageConfig } from '../../../lib/config';
import { loadPriceList } from '../../../lib/cost/price-list';
import { estimateStageCost } from '../../../lib/cost/stage-cost';
import { readStageTemplates } from '../../../lib/cost/template-reader';
import { RUN_STATES } from '../../../lib/orchestration/orchestration-run-state-machine';
import { loadErrorOf } from '../../helpers/config-error';
import {
  cdkJsonContext,
  loadTemplate,
  TEST_OUT_ROOT,
  TEST_STAGES,
  type TestStage,
} from '../../helpers/synth-pipeline';
import * as path from 'node:path';

/** cdk.json's context with `analytics.<name>` of one stage set to `value`. */
function contextWith(stage: string, name: string, value: unknown): (key: string) => unknown {
  const context = structuredClone(cdkJsonContext());
  const stages = context.stages as Record<string, Record<string, Record<string, unknown>>>;
  stages[stage] = {
    ...(stages[stage] ?? {}),
    analytics: { ...(stages[stage]?.analytics ?? {}), [name]: value },
  };
  return (key) => (key === 'stage' ? stage : context[key]);
}

function stageConfig(stage: TestStage): StageConfig {
  const context = cdkJsonContext();
  return loadStageConfig((key) => (key === 'stage' ? stage : context[key]));
}

describe('crawler settings', () => {
  it('default to a full crawl after each run, and take a daily cron schedule', () => {
    const prod = stageConfig('prod').analytics;
    expect(prod.crawlNewFoldersOnly).toBe(false);
    expect(prod.crawlerSchedule).toBeUndefined();
    expect(
      loadStageConfig(contextWith('prod', 'crawlerSchedule', 'cron(0 1,13 ? * * *)')).analytics
        .crawlerSchedule,
    ).toBe('cron(0 1,13 ? * * *)');
  });

  it.each([['rate(1 day)'], ['cron(15 2 * * * *)'], ['cron(15 2 ? * MON *)'], ['cron(75 2 * * ? *)']])(
    'refuse the schedule %s, naming the key and a schedule that works',
    (schedule) => {
      const error = loadErrorOf(contextWith('dev', 'crawlerSchedule', schedule));
      expect(error.message).toContain('stages.dev.analytics.crawlerSchedule');
      expect(error.message).toContain('cron(15 2 * * ? *)');
    },
  );

  it('refuse a recrawl flag that is not true or false', () => {
    expect(loadErrorOf(contextWith('dev', 'crawlNewFoldersOnly', 'yes')).message).toContain(
      'stages.dev.analytics.crawlNewFoldersOnly',
    );
  });
});

describe.each(TEST_STAGES)('the processed crawler as %s configures it', (stage) => {
  const { crawlNewFoldersOnly, crawlerSchedule } = stageConfig(stage).analytics;
  const crawler = (): Record<string, unknown> => {
    const crawlers = loadTemplate(stage, 'analytics').findResources('AWS::Glue::Crawler');
    const processed = Object.values(crawlers).find((c) => String(c.Properties.Name).endsWith('-processed'));
    return processed?.Properties as Record<string, unknown>;
  };

  it('recrawls new folders only with both schema changes logged (Glue requires it), or everything with updates applied', () => {
    expect(crawler()).toMatchObject(
      crawlNewFoldersOnly
        ? {
            RecrawlPolicy: { RecrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
            SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
          }
        : {
            RecrawlPolicy: { RecrawlBehavior: 'CRAWL_EVERYTHING' },
            SchemaChangePolicy: { UpdateBehavior: 'UPDATE_IN_DATABASE', DeleteBehavior: 'LOG' },
          },
    );
  });

  it('runs on its own schedule, and then the run neither starts it nor may start it', () => {
    const orchestration = JSON.stringify(loadTemplate(stage, 'orchestration').toJSON());
    if (crawlerSchedule === undefined) {
      expect(crawler().Schedule).toBeUndefined();
      expect(orchestration).toContain(RUN_STATES.startCrawler);
      expect(orchestration).toContain('glue:StartCrawler');
    } else {
      expect(crawler().Schedule).toEqual({ ScheduleExpression: crawlerSchedule });
      expect(orchestration).not.toContain(RUN_STATES.startCrawler);
      expect(orchestration).not.toContain('glue:StartCrawler');
    }
  });

  it('costs a crawl a run, or its scheduled crawls a month', () => {
    const cost = estimateStageCost(
      stage,
      readStageTemplates(path.join(TEST_OUT_ROOT, stage), stage),
      loadPriceList('us-east-1'),
    );
    const runCrawls = cost.run.filter((line) => line.item === 'Glue crawler');
    expect(runCrawls).toHaveLength(crawlerSchedule === undefined ? 1 : 0);
    expect(cost.scheduled.length > 0).toBe(crawlerSchedule !== undefined);
  });
});
