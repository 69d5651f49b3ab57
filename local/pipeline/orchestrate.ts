import type { S3Client } from '@aws-sdk/client-s3';
import type { RunLog } from '../../lambda/shared/log';
import { createAwsRunStarter } from '../../lambda/start-run/aws-ports';
import { defaultStageSettings } from '../../lib/config/defaults';
import {
  LEASE_MARGIN_SECONDS,
  START_RUN_TIMEOUT_SECONDS,
  type StartRunSettings,
  startRuns,
} from '../../lambda/start-run/start-run';
import { createLocalRunStarter, type RunLedger } from './run-ledger';
import type { ExecutionResult, LocalStateMachine } from './state-machine';

const HOUR_MS = 3_600_000;

/**
 * start-run's settings in the twin: the close delay is 0 because the driver waited for the sink;
 * the other values are the product's defaults (lib/orchestration/orchestration-run-trigger.ts and the
 * stage defaults, lib/config/defaults.ts).
 *
 * start-run reads the twin sink's watermarks on s3proxy with the AWS adapter and judges each hour
 * with the same rule (lambda/start-run/sink-watermarks.ts). The demo's clock jumps to the end of the
 * ingest hour, which has not ended on the wall clock, so no watermark can have passed it yet: with
 * the delay at 0 the hour is admitted by the delay bound, and demo-handlers.log names the partitions
 * whose watermarks were still inside it.
 */
const START_RUN_SETTINGS: StartRunSettings = {
  lookbackHours: 24,
  closeDelayMinutes: 0,
  claimTtlDays: 400,
  maxRunAttempts: defaultStageSettings('dev').orchestration.maxRunAttempts,
  // As long as the function's timeout on AWS, as the handler's lease.
  leaseSeconds: START_RUN_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS,
};

export interface OrchestrationOptions {
  readonly s3: S3Client;
  readonly rawBucket: string;
  readonly ledger: RunLedger;
  readonly stateMachine: LocalStateMachine;
  readonly log: RunLog;
  /** The clock start-run sees: hours that ended by then count as closed. */
  readonly clock: Date;
  readonly onStart: (executionName: string, how: string) => void;
  readonly onFailure: (executionName: string, error: string) => void;
}

export interface FailedExecution {
  readonly executionName: string;
  readonly error: string;
}

export interface OrchestrationResult {
  /** Executions that succeeded, in the order they ran. */
  readonly executions: ExecutionResult[];
  /** Executions that failed (and were retried while attempts were left). */
  readonly failed: FailedExecution[];
  /** Hours whose last attempts all failed (the alarm's HoursOutOfAttempts), after the last tick. */
  readonly outOfAttempts: string[];
}

/**
 * Runs the pipeline the way AWS does: a schedule tick of start-run's logic starts what an hour
 * needs (its first run, a retry of a failed run, a re-run for objects added after its run was
 * claimed), the execution runs to the end, and its end triggers start-run again
 * ("run-finished"), until a tick starts nothing.
 */
export async function orchestrate(options: OrchestrationOptions): Promise<OrchestrationResult> {
  const { ledger, log, clock } = options;
  const starter = createLocalRunStarter(ledger, s3RawPorts(options.s3, options.rawBucket));
  const executions: ExecutionResult[] = [];
  const failed: FailedExecution[] = [];
  let outOfAttempts: string[] = [];

  const tick = async (event: unknown, how: string): Promise<boolean> => {
    const report = await startRuns(event, clock, starter, START_RUN_SETTINGS, log);
    outOfAttempts = report.windows.filter((w) => w.outcome === 'out-of-attempts').map((w) => w.window);
    const started = report.windows.filter((w) => w.outcome === 'started');
    for (const window of started) {
      const run = Object.values(ledger.read().executions).find((e) => e.executionArn === window.executionArn);
      if (run === undefined)
        throw new Error(`start-run started ${window.runId} but the ledger has no execution`);
      const name = run.input.executionName;
      options.onStart(name, `${how}, ${window.reason ?? 'start'}`);
      try {
        executions.push(await options.stateMachine.execute(run.input));
        ledger.setExecutionStatus(name, 'SUCCEEDED');
      } catch (error) {
        const message = (error as Error).message;
        ledger.setExecutionStatus(name, 'FAILED', message);
        failed.push({ executionName: name, error: message });
        options.onFailure(name, message);
      }
    }
    return started.length > 0;
  };

  let more = await tick(
    { source: 'aws.events', 'detail-type': 'Scheduled Event', time: clock.toISOString() },
    'scheduled tick',
  );
  while (more) {
    more = await tick(
      {
        source: 'aws.states',
        'detail-type': 'Step Functions Execution Status Change',
        time: clock.toISOString(),
      },
      'previous run ended',
    );
  }
  return { executions, failed, outOfAttempts };
}

/**
 * The demo clock: the start of the hour after `instant`. The driver has waited until the raw zone
 * holds every line, so the hours up to `instant` are complete without waiting for the wall clock.
 */
export function clockAfter(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
}

/** The AWS port's own raw-zone listings (they only touch S3), on the s3proxy client. */
function s3RawPorts(s3: S3Client, bucket: string): ReturnType<typeof createAwsRunStarter> {
  const s3Only = { s3, dynamodb: undefined as never, sfn: undefined as never };
  return createAwsRunStarter(s3Only, { rawBucket: bucket, runsTable: '-', stateMachineArn: '-' });
}
