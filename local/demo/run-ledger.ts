import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunInput } from '../../lambda/shared/run-input';
import type { ClaimResult, RunClaim, RunStarter, StartResult } from '../../lambda/start-run/start-run';

/**
 * The runs ledger (DynamoDB on AWS) and the executions list (Step Functions on AWS) as one JSON
 * file under the twin's state dir: there is no local DynamoDB engine. Written atomically
 * (temp file + rename), so a crash never leaves half a ledger.
 */
export interface LedgerClaim extends RunClaim {
  status: 'CLAIMED' | 'STARTED';
  executionArn?: string;
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
  claims: Record<string, LedgerClaim>;
  executions: Record<string, LedgerExecution>;
  /** Generator seeds already dropped (a seed repeats its transaction ids). */
  seeds: string[];
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

  setExecutionStatus(runId: string, status: ExecutionStatus, error?: string): void {
    this.update((doc) => {
      const execution = doc.executions[runId];
      if (!execution) throw new Error(`no execution ${runId} in ${this.file}`);
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
 * start-run's port in the twin: raw data listed on s3proxy (the same check as on AWS), claims and
 * executions in the ledger. startExecution only records the execution, as Step Functions
 * does; the driver then runs it with the local state machine.
 */
export function createLocalRunStarter(
  ledger: RunLedger,
  hasRawData: (rawPrefix: string) => Promise<boolean>,
): RunStarter {
  return {
    async runInProgress() {
      const running = Object.values(ledger.read().executions).find((e) => e.status === 'RUNNING');
      return running?.executionArn;
    },
    hasRawData,
    async claimRun(claim: RunClaim): Promise<ClaimResult> {
      return ledger.update((doc) => {
        const existing = doc.claims[claim.runId];
        if (existing) return { outcome: 'exists', status: existing.status };
        doc.claims[claim.runId] = { ...claim, status: 'CLAIMED' };
        return { outcome: 'claimed' };
      });
    },
    async startExecution(input: RunInput): Promise<StartResult> {
      return ledger.update((doc) => {
        if (doc.executions[input.runId]) return { outcome: 'already-exists' };
        const executionArn = executionArnFor(input.runId);
        doc.executions[input.runId] = {
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
  };
}
