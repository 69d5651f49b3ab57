/**
 * The input of one pipeline run (one execution of the state machine). Produced
 * by start-run, read by the state machine (lib/constructs/orchestration-run-state-machine.ts)
 * and, on failure, quoted in the alert.
 */
export interface RunInput {
  /** `run-YYYY-MM-DDTHH` (plus `-aN` for a deliberate re-run); also the execution name. */
  readonly runId: string;
  /** Key prefix of the hour in the raw bucket, `transactions/year=YYYY/month=MM/day=DD/hour=HH/`. */
  readonly rawPrefix: string;
  /** The closed UTC hour the run processes, `YYYY-MM-DDTHH`. */
  readonly window: string;
}

/** Step Functions execution names: 1-80 characters of letters, digits, '-' and '_'. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
