/**
 * What the templates cannot say, each with its reason. Change one here and
 * `make cost` rewrites the README's figures.
 */
export const COST_ASSUMPTIONS = {
  /** Wall-clock minutes an EMR cluster bills per run: ~8 to provision and bootstrap, a few for the ATM step on an hour of data, ~2 to terminate. */
  emrMinutesPerRun: 15,
  /** Minutes the processed crawler runs on an hour's new partition; Glue bills 10 minutes at least per crawler run anyway. */
  crawlerMinutesPerRun: 3,
  /** DPUs Glue gives a crawler: Glue allocates them itself and does not publish the number; 2 is what small S3 crawls bill. */
  crawlerDpus: 2,
  /** Minutes the Glue load job runs (staging COPY + MERGE of an hour) once its workers are up. */
  glueJobMinutesPerRun: 4,
  /** Seconds the serverless warehouse computes per run (the load's COPY/MERGE and the report refresh); billed per second, 60 s at least per query burst. */
  warehouseActiveSecondsPerRun: 120,
  /** Seconds each Lambda invocation of a run takes on average (the handlers make a few API calls each). */
  lambdaSecondsPerInvocation: 2,
  /** Extra state transitions per run: crawler polls (wait, check, choice) and the EMR step's wait loop. */
  extraStateTransitionsPerRun: 15,
  /** DynamoDB writes and reads per run: the lease, the run record and its updates. */
  dynamoWritesPerRun: 8,
  dynamoReadsPerRun: 8,
  /** Runs a month: each run processes one closed hour of data, so a month of hourly data is one run per hour, whatever the poll interval. */
  runsPerMonth: 730,
  /** GB the data lake keeps (raw JSON lines, Parquet, reports) for a small stage: a few hundred MB an hour of transactions, compressed. */
  dataLakeGb: 50,
  /** GB the warehouse keeps. */
  warehouseGb: 10,
} as const;

/** What dev may cost in a month without a run; a test fails above it (test/lib/cost/readme-cost.test.ts). */
export const DEV_IDLE_BUDGET_USD = 350;

/** Glue DPUs per worker of each worker type. */
export const GLUE_DPUS_PER_WORKER: Readonly<Record<string, number>> = {
  'G.1X': 1,
  'G.2X': 2,
  'G.4X': 4,
  'G.8X': 8,
};

/** Minimum billed minutes: Glue crawler run, Glue ETL job run (Glue 2.0+), EMR instance, Redshift Serverless. */
export const BILLING_MINIMUM_MINUTES = { crawler: 10, glueJob: 1, emr: 1, redshiftServerless: 1 } as const;
