import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunInput } from '../../lambda/shared/run-input';
import type {
  ClaimResult,
  ExecutionState,
  HourRun,
  LeaseRequest,
  LeaseResult,
  RawSnapshot,
  RunClaim,
  RunStarter,
  RunStatus,
  StartResult,
} from '../../lambda/start-run/start-run';

/**
 * The runs ledger (DynamoDB on AWS) and the executions list (Step Functions on AWS) as one JSON
 * file under the twin's state dir: there is no local DynamoDB engine. Written atomically
 * (temp file + rename), so a crash never leaves half a ledger.
 */
export interface LedgerClaim extends Partial<
  Omit<RunClaim, 'runId' | 'window' | 'rawPrefix' | 'claimedAt' | 'expiresAt' | 'failedAttempts'>
> {
  readonly runId: string;
  readonly window: string;
  readonly rawPrefix: string;
  readonly claimedAt: string;
  readonly expiresAt: number;
  /** The hour's latest attempt: the same item shape as the DynamoDB ledger (one record per hour). */
  status: RunStatus;
  failedAttempts?: number;
  executionArn?: string;
  outcome?: string;
  finishedAt?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface LedgerExecution {
  readonly executionArn: string;
  readonly input: RunInput;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  /** pid of the driver running it: a RUNNING execution whose driver is gone was aborted. */
  pid: number;
  error?: string;
}

interface LedgerDocument {
  /** Keyed by the hour's run id. */
  claims: Record<string, LedgerClaim>;
  /** Keyed by execution name. */
  executions: Record<string, LedgerExecution>;
  /** Generator seeds already dropped (a seed repeats its transaction ids). */
  seeds: string[];
  /** start-run's single-flight lease (the item under START_RUN_LEASE_KEY on AWS); absent when free. */
  lease?: LedgerLease;
}

export interface LedgerLease {
  readonly holder: string;
  readonly acquiredAt: number;
  /** Epoch seconds after which another invocation may take the lease over. */
  readonly expiresAt: number;
}

export class RunLedger {
  constructor(readonly file: string) {}

  read(): LedgerDocument {
    if (!fs.existsSync(this.file)) return { claims: {}, executions: {}, seeds: [] };
    return JSON.parse(fs.readFileSync(this.file, 'utf8')) as LedgerDocument;
  }

  update<T>(change: (doc: LedgerDocument) => T): T {
    const doc = this.read();
    const result = change(doc);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify(doc, null, 2)}\n`);
    fs.renameSync(temp, this.file);
    return result;
  }

  /** Marks executions of a driver that no longer runs as ABORTED (Ctrl-C, crash). */
  abortOrphans(): string[] {
    return this.update((doc) => {
      const aborted: string[] = [];
      for (const execution of Object.values(doc.executions)) {
        if (execution.status === 'RUNNING' && !isAlive(execution.pid)) {
          execution.status = 'ABORTED';
          execution.stoppedAt = new Date().toISOString();
          aborted.push(execution.input.runId);
        }
      }
      return aborted;
    });
  }

  setExecutionStatus(executionName: string, status: ExecutionStatus, error?: string): void {
    this.update((doc) => {
      const execution = doc.executions[executionName];
      if (!execution) throw new Error(`no execution ${executionName} in ${this.file}`);
      execution.status = status;
      execution.stoppedAt = new Date().toISOString();
      if (error !== undefined) execution.error = error;
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const executionArnFor = (runId: string): string =>
  `arn:twin:states:local:execution:bankpipe-run:${runId}`;

/**
 * start-run's port in the twin: raw data and sink watermarks on s3proxy (the same S3 calls as on AWS), the hour
 * records and executions in the ledger, with the same conditions as the DynamoDB adapter.
 * startExecution only records the execution, as Step Functions does; the driver then runs it with
 * the local state machine and records how it ended (setExecutionStatus), which executionState reads.
 */
export function createLocalRunStarter(
  ledger: RunLedger,
  raw: Pick<RunStarter, 'hasRawData' | 'rawSnapshot' | 'sinkWatermarks'>,
): RunStarter {
  return {
    // The same rules as the DynamoDB adapter: taken only if free or lapsed, given up only by its holder.
    async acquireLease(request: LeaseRequest): Promise<LeaseResult> {
      return ledger.update((doc) => {
        const held = doc.lease;
        if (held !== undefined && !(held.expiresAt < request.now)) {
          return { outcome: 'held', holder: held.holder, expiresAt: held.expiresAt };
        }
        doc.lease = { holder: request.holder, acquiredAt: request.now, expiresAt: request.expiresAt };
        return { outcome: 'acquired' };
      });
    },
    async releaseLease(holder: string) {
      ledger.update((doc) => {
        if (doc.lease?.holder === holder) delete doc.lease;
      });
    },
    async runInProgress() {
      const running = Object.values(ledger.read().executions).find((e) => e.status === 'RUNNING');
      return running?.executionArn;
    },
    hasRawData: (rawPrefix) => raw.hasRawData(rawPrefix),
    rawSnapshot: (rawPrefix) => raw.rawSnapshot(rawPrefix),
    // The twin's S3 sink writes the same watermarks; start-run reads them as on AWS.
    sinkWatermarks: () => raw.sinkWatermarks(),
    async readRun(runId: string): Promise<HourRun | undefined> {
      const claim = ledger.read().claims[runId];
      return claim ? hourRunOf(claim) : undefined;
    },
    async claimRun(claim: RunClaim): Promise<ClaimResult> {
      return ledger.update((doc) => {
        const existing = doc.claims[claim.runId];
        if (existing) {
          const run = hourRunOf(existing);
          const follows =
            claim.attempt === run.attempt + 1 && (run.status === 'SUCCEEDED' || run.status === 'FAILED');
          if (!follows) return { outcome: 'exists', status: run.status, attempt: run.attempt };
        } else if (claim.attempt !== 1) {
          return { outcome: 'exists', status: 'CLAIMED', attempt: 0 };
        }
        doc.claims[claim.runId] = { ...claim, status: 'CLAIMED' };
        return { outcome: 'claimed' };
      });
    },
    async startExecution(input: RunInput): Promise<StartResult> {
      return ledger.update((doc) => {
        if (doc.executions[input.executionName]) return { outcome: 'already-exists' };
        const executionArn = executionArnFor(input.executionName);
        doc.executions[input.executionName] = {
          executionArn,
          input,
          status: 'RUNNING',
          startedAt: new Date().toISOString(),
          pid: process.pid,
        };
        return { outcome: 'started', executionArn };
      });
    },
    async markStarted(runId: string, executionArn: string | undefined) {
      ledger.update((doc) => {
        const claim = doc.claims[runId];
        if (!claim) throw new Error(`markStarted: no claim for ${runId}`);
        claim.status = 'STARTED';
        if (executionArn) claim.executionArn = executionArn;
      });
    },
    async executionState(executionName: string): Promise<ExecutionState> {
      return ledger.read().executions[executionName]?.status ?? 'MISSING';
    },
    async recordOutcome(runId, attempt, outcome, detail) {
      ledger.update((doc) => {
        const claim = doc.claims[runId];
        if (!claim || hourRunOf(claim).attempt !== attempt || claim.status !== 'STARTED') return;
        claim.status = outcome;
        claim.outcome = detail;
        claim.finishedAt = new Date().toISOString();
        claim.failedAttempts = outcome === 'SUCCEEDED' ? 0 : (claim.failedAttempts ?? 0) + 1;
      });
    },
  };
}

/** Records written before attempts were kept hold attempt 1 without the field (as on AWS). */
function hourRunOf(claim: LedgerClaim): HourRun {
  const raw: RawSnapshot | undefined = claim.raw;
  return {
    runId: claim.runId,
    window: claim.window,
    attempt: claim.attempt ?? 1,
    executionName: claim.executionName ?? claim.runId,
    status: claim.status,
    failedAttempts: claim.failedAttempts ?? 0,
    ...(raw !== undefined ? { raw } : {}),
  };
}
