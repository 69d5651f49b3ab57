import type { StageConfig } from '../config';
import { skipCheckov } from '../shared/checkov';
import type { PipelineFunction } from '../shared/pipeline-function';

/**
 * Reserved concurrency of the run functions when the stage reserves it
 * (`orchestration.reservedConcurrency`).
 */
export const RUN_RESERVED_CONCURRENCY = {
  /** start-run: one tick at a time (its lease in the runs ledger serialises the ticks with or without it). */
  startRun: 1,
  /** Each run task: runs never overlap, so one call plus one retry is the most a task sees. */
  runTask: 2,
} as const;

/** The reservation to give a run function: the stage's choice, undefined when it reserves none. */
export function runReservedConcurrency(config: StageConfig, reservation: number): number | undefined {
  return config.orchestration.reservedConcurrency ? reservation : undefined;
}

/**
 * checkov CKV_AWS_115 asks every function for reserved concurrency; a stage
 * that reserves none (an account at the new-account quota cannot) says why on
 * the function itself.
 */
export function explainUnreservedConcurrency(fn: PipelineFunction, config: StageConfig): void {
  if (config.orchestration.reservedConcurrency) return;
  skipCheckov(
    fn.function,
    'CKV_AWS_115',
    `Stage ${config.stage} sets orchestration.reservedConcurrency false: a reservation would fail the deploy in an account ` +
      'at a new-account concurrency quota (reservations may not shrink the unreserved pool below its minimum); start-run stays one tick at a time ' +
      'through its lease in the runs ledger, and each run id starts once through the ledger and the execution name',
  );
}
