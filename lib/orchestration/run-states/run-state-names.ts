/** State names, in the order a successful run passes through them (tests and runbooks use these). */
export const RUN_STATES = {
  createCluster: 'Create EMR cluster',
  runAtmJob: 'Run ATM job step',
  terminateCluster: 'Terminate EMR cluster',
  reconcile: 'Reconcile run counts',
  startCrawler: 'Start processed crawler',
  waitForCrawler: 'Wait for crawler',
  checkCrawler: 'Check crawler',
  crawlerDone: 'Crawler finished?',
  loadWarehouse: 'Load warehouse',
  prepareRefresh: 'Prepare report refresh',
  refreshReports: 'Refresh reports',
  reportsDone: 'Reports refreshed?',
  waitForReports: 'Wait for report refresh',
  succeeded: 'Run succeeded',
  // Failure path, entered only through Catch.
  clusterCreated: 'Cluster to clean up?',
  terminateAfterFailure: 'Terminate EMR cluster after failure',
  attemptRecorded: 'Attempt in the input?',
  defaultAttempt: 'Attempt 1 by default',
  describeFailure: 'Describe failure',
  notifyFailure: 'Notify run failure',
  failed: 'Run failed',
} as const;

/** Every ATM step is named `<prefix><runId>` (monitoring matches failed steps on it). */
export const ATM_STEP_NAME_PREFIX = 'atm-job ';
