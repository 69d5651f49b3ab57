/**
 * The crawler schedules a stage may set (`analytics.crawlerSchedule`): a Glue
 * cron expression that fires at fixed hours every day, `cron(M H * * ? *)`,
 * with H a number, list, range or step. One of day-of-month and day-of-week
 * must be `?` (Glue's cron rule). Daily-at-fixed-hours is also what the cost
 * estimate counts (lib/cost/scheduled-cost.ts).
 */
export const CRAWLER_SCHEDULE = /^cron\([0-5]?\d [\d*,/-]+ (?:\* \* \?|\? \* \*) \*\)$/;
