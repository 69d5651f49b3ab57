import * as fs from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { RUN_STATES } from '../../lib/orchestration/orchestration-run-state-machine';
import { materializedViewsIn } from '../../lib/orchestration/orchestration-report-views';
import {
  checkCrawler,
  type CrawlerInspector,
  type CrawlerSnapshot,
} from '../../lambda/crawler-status/crawler-status';
import { createS3ManifestStore, createS3RawLineCounter } from '../../lambda/reconcile-run/aws-ports';
import { reconcileRun, type ReconcileRunResult } from '../../lambda/reconcile-run/reconcile-run';
import { refreshReports, type RefreshReportsResult } from '../../lambda/refresh-reports/refresh-reports';
import type { RunLog } from '../../lambda/shared/log';
import type { RunInput } from '../../lambda/shared/run-input';
import { PROCESSED_REPORTS_PREFIX, PROCESSED_TRANSACTIONS_PREFIX } from '../../lib/shared/pipeline-layout';
import { lastJsonLine, runLogged } from './processes';
import type { Progress } from './progress';
import { mirrorPrefix } from './s3';
import { ATHENA_STANDIN_SCRIPT, type TwinSettings } from './settings';
import { sparkEnv, writeSparkConf } from './spark';
import { createPsqlStatementRunner } from './warehouse';

/** Where the processed-zone crawler's local stand-in keeps its catalog (DuckDB views over a mirror). */
export function athenaPaths(settings: TwinSettings): { mirror: string; db: string } {
  return {
    mirror: path.join(settings.demoHome, 'processed-mirror'),
    db: path.join(settings.demoHome, 'athena.duckdb'),
  };
}

export interface ExecutionResult {
  readonly runId: string;
  readonly counts: ReconcileRunResult;
  readonly tables: string[];
  readonly warehouseLoad: Record<string, unknown>;
  readonly refreshedViews: string[];
  /** When this run's rows became queryable: in the Athena stand-in (crawl done) and the warehouse (load committed). */
  readonly athenaQueryableAt: string;
  readonly warehouseQueryableAt: string;
}

export interface LocalStateMachineOptions {
  readonly settings: TwinSettings;
  readonly s3: S3Client;
  readonly progress: Progress;
  readonly log: RunLog;
  /** s3a:// URI of the customers file (the ATM job's --customers). */
  readonly customersUri?: string;
}

/**
 * The run state machine (lib/orchestration/orchestration-run-state-machine.ts) executed locally,
 * state by state and in the same order, each state named as on AWS: the EMR step becomes a
 * local spark-submit of the unchanged spark-jobs/atm_job.py, the Lambda states call the same
 * logic modules, the crawler is the DuckDB registration, the Glue load is
 * spark-jobs/load_warehouse_local.py against PostgreSQL.
 */
export class LocalStateMachine {
  private readonly crawls = new Map<string, CrawlerSnapshot>();
  static readonly crawlerName = 'bankpipe-local-processed-crawler';

  constructor(private readonly options: LocalStateMachineOptions) {}

  async execute(input: RunInput): Promise<ExecutionResult> {
    const { settings, progress } = this.options;
    const executionStart = new Date();
    const state = (name: string, detail: string): void => progress.step(`${name}: ${detail}`);

    state(RUN_STATES.createCluster, 'local Spark, no cluster to create');
    const atmStarted = Date.now();
    await this.runAtmJob(input);
    if (settings.faults.failJobStepOnFirstAttempt && input.attempt === 1) {
      state(RUN_STATES.runAtmJob, 'failed (fault injected: TWIN_FAULT_FAIL_JOB_FIRST_ATTEMPT)');
      this.failure(input, RUN_STATES.runAtmJob);
      throw new Error(
        `${RUN_STATES.runAtmJob} of ${input.executionName}: injected fault (TWIN_FAULT_FAIL_JOB_FIRST_ATTEMPT) after the job wrote its outputs`,
      );
    }
    state(RUN_STATES.runAtmJob, `spark-jobs/atm_job.py done in ${seconds(atmStarted)}`);
    state(RUN_STATES.terminateCluster, 'nothing to terminate');

    const counts = await reconcileRun(
      // As the state machine passes $$.Execution.StartTime: objects written after it are late data.
      { runId: input.runId, rawPrefix: input.rawPrefix, startedAt: executionStart.toISOString() },
      {
        manifests: createS3ManifestStore(this.options.s3, settings.processedBucket),
        raw: createS3RawLineCounter(this.options.s3, settings.rawBucket),
      },
      this.options.log,
    ).catch((error: Error) => {
      this.failure(input, RUN_STATES.reconcile);
      throw error;
    });
    state(
      RUN_STATES.reconcile,
      `raw lines ${counts.rawLines} = read ${counts.read} = valid ${counts.valid} + quarantined ${counts.quarantined} + duplicates ${counts.duplicates}`,
    );

    const tables = await this.crawl();
    state(
      RUN_STATES.startCrawler,
      `${tables.length} tables registered in the Athena stand-in (${tables.join(', ')})`,
    );
    let polls = 0;
    for (;;) {
      const result = await checkCrawler(
        { startedAfter: executionStart.toISOString(), polls },
        this.inspector(),
        { crawlerName: LocalStateMachine.crawlerName, maxPolls: 60 },
        this.options.log,
      );
      polls = result.polls;
      if (result.done) break;
      await sleep(500);
    }
    state(RUN_STATES.checkCrawler, `crawl finished (${polls} poll)`);
    const athenaQueryableAt = new Date().toISOString();

    const loadStarted = Date.now();
    const warehouseLoad = await this.loadWarehouse(input.runId);
    const warehouseQueryableAt = new Date().toISOString();
    const load = warehouseLoad as {
      dates?: string[];
      rows_staged?: number;
      rows_inserted?: number;
      rows_matched?: number;
      rows_deleted?: number;
    };
    state(
      RUN_STATES.loadWarehouse,
      `${load.rows_staged} rows staged, ${load.rows_inserted} inserted, ${load.rows_matched} updated by MERGE, ` +
        `${load.rows_deleted ?? 0} no longer processed deleted ` +
        `(${load.dates?.length ?? 0} txn_date partitions) in ${seconds(loadStarted)}`,
    );

    const refreshed = await this.refresh(input.runId);
    state(RUN_STATES.refreshReports, `${refreshed.length} materialized views refreshed`);
    state(RUN_STATES.succeeded, input.runId);
    return {
      runId: input.runId,
      counts,
      tables,
      warehouseLoad,
      refreshedViews: refreshed,
      athenaQueryableAt,
      warehouseQueryableAt,
    };
  }

  /** The failure path's states (no cluster to terminate, the alert is the progress line). */
  private failure(input: RunInput, failedState: string): void {
    const state = (name: string, detail: string): void => this.options.progress.step(`${name}: ${detail}`);
    state(RUN_STATES.describeFailure, `${input.executionName} failed in ${failedState}`);
    state(RUN_STATES.failed, `${input.executionName} (start-run retries the hour while attempts are left)`);
  }

  private async runAtmJob(input: RunInput): Promise<void> {
    const { settings } = this.options;
    const confDir = writeSparkConf(settings);
    const args = [
      '--master',
      'local[2]',
      path.join(settings.repoRoot, 'spark-jobs', 'atm_job.py'),
      '--input',
      `s3a://${settings.rawBucket}/${input.rawPrefix}`,
      '--output',
      `s3a://${settings.processedBucket}`,
      '--quarantine',
      `s3a://${settings.quarantineBucket}`,
      '--run-id',
      input.runId,
      ...(this.options.customersUri ? ['--customers', this.options.customersUri] : []),
    ];
    const stdout = await runLogged('ATM job', sparkSubmit(settings), args, {
      logFile: path.join(settings.twinHome, 'logs', `demo-atm-job.log`),
      env: sparkEnv(settings, confDir),
      cwd: settings.repoRoot,
      onLine: (line) => {
        const phase = /bankpipe\S*: (.*)$/.exec(line);
        if (phase) this.options.progress.update(`ATM job: ${phase[1].slice(0, 100)}`);
      },
    });
    lastJsonLine(stdout);
  }

  /** The crawler's stand-in: mirror the processed zone, (re)create the DuckDB views. */
  private async crawl(): Promise<string[]> {
    const { settings, s3 } = this.options;
    const startedAt = new Date();
    this.crawls.set(LocalStateMachine.crawlerName, { state: 'RUNNING' });
    const { mirror, db } = athenaPaths(settings);
    try {
      await mirrorPrefix(s3, settings.processedBucket, PROCESSED_TRANSACTIONS_PREFIX, mirror);
      await mirrorPrefix(s3, settings.processedBucket, PROCESSED_REPORTS_PREFIX, mirror);
      const stdout = await runLogged(
        'Athena stand-in registration',
        settings.python,
        [ATHENA_STANDIN_SCRIPT, 'register', '--mirror', mirror, '--db', db],
        { logFile: path.join(settings.twinHome, 'logs', 'demo-athena.log') },
      );
      const tables = (lastJsonLine(stdout).tables as string[]) ?? [];
      this.crawls.set(LocalStateMachine.crawlerName, {
        state: 'READY',
        lastCrawl: { status: 'SUCCEEDED', startedAt },
      });
      return tables;
    } catch (error) {
      this.crawls.set(LocalStateMachine.crawlerName, {
        state: 'READY',
        lastCrawl: { status: 'FAILED', startedAt, errorMessage: (error as Error).message },
      });
      return [];
    }
  }

  private inspector(): CrawlerInspector {
    return {
      getCrawler: async (name) => {
        const snapshot = this.crawls.get(name);
        if (!snapshot) throw new Error(`crawler ${name} was never started`);
        return snapshot;
      },
    };
  }

  private async loadWarehouse(runId: string): Promise<Record<string, unknown>> {
    const { settings } = this.options;
    const confDir = writeSparkConf(settings);
    const stdout = await runLogged(
      'warehouse load',
      settings.python,
      [
        path.join(settings.repoRoot, 'spark-jobs', 'load_warehouse_local.py'),
        '--processed',
        `s3a://${settings.processedBucket}`,
        '--jdbc-url',
        settings.pg.jdbcUrl,
        '--user',
        settings.pg.user,
        '--password-env',
        'TWIN_PG_PASSWORD',
        '--apply-ddl',
        '--run-id',
        runId,
      ],
      {
        logFile: path.join(settings.twinHome, 'logs', 'demo-warehouse-load.log'),
        env: sparkEnv(settings, confDir),
        cwd: settings.repoRoot,
      },
    );
    return (lastJsonLine(stdout).warehouse_load as Record<string, unknown>) ?? {};
  }

  private async refresh(runId: string): Promise<string[]> {
    const { settings } = this.options;
    const runner = createPsqlStatementRunner(settings);
    const views = materializedViewsIn(path.join(settings.repoRoot, 'sql', 'redshift'));
    // One "invocation" here has the same budget as the Lambda's (15 min) minus nothing else.
    const deadline = () => Date.now() + 15 * 60_000;
    let state:
      RefreshReportsResult | { runId: string; viewIndex: number; statementId: null; invocations: number } = {
      runId,
      viewIndex: 0,
      statementId: null,
      invocations: 0,
    };
    for (;;) {
      const ends = deadline();
      const result = await refreshReports(
        state,
        runner,
        { timeLeftMs: () => ends - Date.now(), sleep },
        { views, pollIntervalMs: 200, maxInvocations: 30 },
        this.options.log,
      );
      if (result.done) return result.refreshed;
      state = result;
    }
  }
}

function sparkSubmit(settings: TwinSettings): string {
  return path.join(path.dirname(settings.python), 'spark-submit');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)}s`;

export function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
