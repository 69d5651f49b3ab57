/**
 * The input of one pipeline run (one execution of the state machine). Produced
 * by start-run, read by the state machine (lib/orchestration/orchestration-run-state-machine.ts)
 * and, on failure, quoted in the alert.
 */
export interface RunInput {
  /**
   * `run-YYYY-MM-DDTHH`: the hour's run id, the same for every attempt at the hour. The ATM job,
   * its manifest, its quarantine folder and the warehouse load are keyed by it, so a re-run of the
   * hour (late lines, a retry after a failure, a backfill) replaces what earlier attempts wrote
   * instead of adding to it (spark-jobs/bankpipe/job.py: "rerunning a run id").
   */
  readonly runId: string;
  /** 1 for the hour's first run, then 2, 3, ... for each re-run. */
  readonly attempt: number;
  /** The execution name (unique per state machine for 90 days): `runId`, plus `-a<attempt>` from attempt 2 on. */
  readonly executionName: string;
  /** Key prefix of the hour in the raw bucket, `transactions/year=YYYY/month=MM/day=DD/hour=HH/`. */
  readonly rawPrefix: string;
  /** The closed UTC hour the run processes, `YYYY-MM-DDTHH`. */
  readonly window: string;
}

/** Step Functions execution names: 1-80 characters of letters, digits, '-' and '_'. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** `run-<window>`: the hour's run id (RunInput.runId). */
export function runIdOfWindow(window: string): string {
  return `run-${window}`;
}

/** The execution name of an attempt (RunInput.executionName). */
export function executionNameOf(runId: string, attempt: number): string {
  return attempt === 1 ? runId : `${runId}-a${attempt}`;
}
