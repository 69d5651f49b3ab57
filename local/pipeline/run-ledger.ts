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
import type { SeedEventSpan } from './demo-period';
import type { GeneratorTruth, IngestedSeed } from './reconciliation';

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

/**
 * Where one seed's lines are on their way into the raw zone:
 * - generating: the generator writes into the seed's staging folder; nothing is in the SFTP drop yet
 * - dropped: its truth is known and its files are moving (or have moved) into the SFTP drop; the
 *   connectors ingest them whether the driver still runs or not
 * - ingested: every line is in the raw zone, and the hours holding them are known
 * - abandoned: interrupted while generating; none of its lines reached the drop
 */
export type DropStatus = 'generating' | 'dropped' | 'ingested' | 'abandoned';

export interface SeedDrop {
  readonly seed: string;
  status: DropStatus;
  readonly startedAt: string;
  /** The driver that started it; while that process lives, no other run touches this drop. */
  readonly pid: number;
  /** The generator writes here; the files move into the SFTP drop once the seed's truth is written. */
  readonly stagingDir: string;
  readonly summaryFile: string;
  truth?: GeneratorTruth;
  droppedAt?: string;
  /** Raw-zone objects before its files reached the drop (sink objects are immutable): later keys hold its lines. */
  rawKeysBefore?: string[];
  /** Records on the topic before its files reached the drop. */
  topicBefore?: number;
  topicRecords?: number;
  /** Raw-zone lines per hour window, once ingested. */
  hours?: Record<string, number>;
  /** When its transactions occurred (the generator's summary), recorded at the drop. */
  eventSpan?: SeedEventSpan;
  /**
   * Dropped while the demo's live-alerts consumer ran, so its records are read live (its group's
   * offsets are before them); drops of earlier demo versions are not, and their alerts are batch-only.
   */
  readLive?: boolean;
}

export interface LedgerExecution {
  readonly executionArn: string;
  readonly input: RunInput;
  status: ExecutionStatus;
  startedAt: string;
  stoppedAt?: string;
  /** pid of the driver running it: a RUNNING execution whose driver is gone was aborted. */
  pid: number;
  error?: string;
  /** Stopped by an interrupt of its driver (Ctrl-C): the operator stopped the demo, the run did not fail. */
  interrupted?: boolean;
}

interface LedgerDocument {
  /** Keyed by the hour's run id. */
  claims: Record<string, LedgerClaim>;
  /** Keyed by execution name. */
  executions: Record<string, LedgerExecution>;
  /** Generator seeds already used (a seed repeats its transaction ids). */
  seeds: string[];
  /** Each seed's way into the raw zone, keyed by seed (absent in ledgers of earlier versions). */
  drops?: Record<string, SeedDrop>;
  /** start-run's single-flight lease (the item under START_RUN_LEASE_KEY on AWS); absent when free. */
  lease?: LedgerLease;
}

export interface LedgerLease {
  readonly holder: string;
  readonly acquiredAt: number;
  /** Epoch seconds after which another invocation may take the lease over. */
  readonly expiresAt: number;
  /** The twin's driver process holding it: a lease of a driver that is gone is given up. */
  readonly pid?: number;
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

  /**
   * Marks executions of a driver that no longer runs as ABORTED, and gives up the start-run lease
   * such a driver held (killed while start-run's logic ran), so the next run is not kept waiting
   * for the lease to lapse.
   */
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
      if (doc.lease?.pid !== undefined && !isAlive(doc.lease.pid)) delete doc.lease;
      return aborted;
    });
  }

  /**
   * What this driver leaves when it is interrupted: its running executions ABORTED (marked as
   * interrupted) and the start-run lease given up if it holds it. Returns the aborted run ids.
   */
  abandonOwn(pid = process.pid): string[] {
    return this.update((doc) => {
      const aborted: string[] = [];
      for (const execution of Object.values(doc.executions)) {
        if (execution.status === 'RUNNING' && execution.pid === pid) {
          execution.status = 'ABORTED';
          execution.interrupted = true;
          execution.stoppedAt = new Date().toISOString();
          aborted.push(execution.input.runId);
        }
      }
      if (doc.lease?.pid === pid) delete doc.lease;
      return aborted;
    });
  }

  /** Every seed's drop, in the order they started. */
  drops(): SeedDrop[] {
    return Object.values(this.read().drops ?? {}).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** Records a new drop and its seed as used, in one write. */
  addDrop(drop: SeedDrop): void {
    this.update((doc) => {
      if (doc.drops?.[drop.seed] !== undefined) throw new Error(`seed ${drop.seed} already has a drop`);
      doc.drops = { ...doc.drops, [drop.seed]: drop };
      if (!doc.seeds.includes(drop.seed)) doc.seeds.push(drop.seed);
    });
  }

  updateDrop(seed: string, change: (drop: SeedDrop) => void): SeedDrop {
    return this.update((doc) => {
      const drop = doc.drops?.[seed];
      if (drop === undefined) throw new Error(`no drop of seed ${seed} in ${this.file}`);
      change(drop);
      return drop;
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

export function isAlive(pid: number): boolean {
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
        doc.lease = {
          holder: request.holder,
          acquiredAt: request.now,
          expiresAt: request.expiresAt,
          pid: process.pid,
        };
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
        // An execution stopped by Ctrl-C is retried like a failed one, but the operator stopping the
        // demo is no failure of the hour: it does not use up one of the hour's attempts.
        const execution = doc.executions[hourRunOf(claim).executionName];
        const counts = outcome === 'FAILED' && execution?.interrupted !== true;
        claim.failedAttempts = outcome === 'SUCCEEDED' ? 0 : (claim.failedAttempts ?? 0) + (counts ? 1 : 0);
      });
    },
  };
}

/** A drop whose lines are all in the raw zone, as the reconciliation reads it. */
export function ingestedSeed(drop: SeedDrop): IngestedSeed | undefined {
  const { truth, droppedAt, topicRecords, hours } = drop;
  if (drop.status !== 'ingested' || !truth || !droppedAt || topicRecords === undefined || !hours) {
    return undefined;
  }
  return { seed: drop.seed, droppedAt, truth, topicRecords, hours };
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
