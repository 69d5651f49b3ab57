import type { S3Client } from '@aws-sdk/client-s3';
import type { RunLog } from '../../lambda/shared/log';
import { createAwsRunStarter } from '../../lambda/start-run/aws-ports';
import { startRuns } from '../../lambda/start-run/start-run';
import { createLocalRunStarter, type RunLedger } from './run-ledger';
import type { ExecutionResult, LocalStateMachine } from './state-machine';

const HOUR_MS = 3_600_000;

/** start-run's settings in the twin; the close delay is 0 because the driver waited for the sink. */
const START_RUN_SETTINGS = { lookbackHours: 24, closeDelayMinutes: 0, claimTtlDays: 400 } as const;

export interface OrchestrationOptions {
  readonly s3: S3Client;
  readonly rawBucket: string;
  readonly ledger: RunLedger;
  readonly stateMachine: LocalStateMachine;
  readonly log: RunLog;
  /** Windows (YYYY-MM-DDTHH) that received this demo's lines. */
  readonly windows: readonly string[];
  readonly onStart: (runId: string, how: string) => void;
}

/**
 * Runs the pipeline for the given windows the way AWS does: start-run's logic picks the oldest
 * closed hour with data and no run, its execution runs to the end, and the end of the run
 * triggers start-run again ("run-finished"), until nothing is left. A window that already had a
 * run (a second demo within the same hour) is re-run as a backfill with the next attempt number,
 * the documented way to process an hour again.
 *
 * The demo clock is the start of the hour after the newest window: the raw counts already match,
 * so the hours are complete without waiting for the wall clock to close them.
 */
export async function orchestrate(options: OrchestrationOptions): Promise<ExecutionResult[]> {
  const { ledger, log } = options;
  const newest = [...options.windows].sort().pop();
  if (newest === undefined) return [];
  const clock = new Date(Date.parse(`${newest}:00:00Z`) + HOUR_MS);
  const starter = createLocalRunStarter(ledger, (prefix) =>
    hasRawData(options.s3, options.rawBucket, prefix),
  );
  const results: ExecutionResult[] = [];

  const runStarted = async (event: unknown, how: string): Promise<boolean> => {
    const report = await startRuns(event, clock, starter, START_RUN_SETTINGS, log);
    const started = report.windows.filter((w) => w.outcome === 'started');
    for (const window of started) {
      options.onStart(window.runId, how);
      const execution = ledger.read().executions[window.runId];
      try {
        results.push(await options.stateMachine.execute(execution.input));
        ledger.setExecutionStatus(window.runId, 'SUCCEEDED');
      } catch (error) {
        ledger.setExecutionStatus(window.runId, 'FAILED', (error as Error).message);
        throw error;
      }
    }
    return started.length > 0;
  };

  let more = await runStarted(
    { source: 'aws.events', 'detail-type': 'Scheduled Event', time: clock.toISOString() },
    'scheduled tick',
  );
  while (more) {
    more = await runStarted(
      {
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        time: clock.toISOString(),
      },
      'previous run finished',
    );
  }

  const done = new Set(results.map((r) => r.runId.replace(/^run-/, '').replace(/-a\d+$/, '')));
  for (const window of options.windows) {
    if (done.has(window)) continue;
    const attempts = Object.keys(ledger.read().claims).filter(
      (runId) => runId === `run-${window}` || runId.startsWith(`run-${window}-a`),
    ).length;
    await runStarted({ window, attempt: attempts + 1 }, `backfill attempt ${attempts + 1}`);
  }
  return results;
}

/** The AWS port's own raw-data check (it only touches S3), on the s3proxy client. */
function hasRawData(s3: S3Client, bucket: string, prefix: string): Promise<boolean> {
  const s3Only = { s3, dynamodb: undefined as never, sfn: undefined as never };
  return createAwsRunStarter(s3Only, { rawBucket: bucket, runsTable: '-', stateMachineArn: '-' }).hasRawData(
    prefix,
  );
}
