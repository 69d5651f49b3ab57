/**
 * The outcome of one preflight check: one line of the report. A failure always
 * carries the command or action that fixes it, because the reader is someone
 * about to run `cdk deploy` who cannot see this code.
 */
export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface CheckResult {
  /** Short name of the prerequisite, e.g. "CDK bootstrap". */
  readonly name: string;
  /** `unknown` means the prerequisite could not be verified from here; it does not fail the run. */
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** The command or action that fixes a failure (or verifies an unknown). */
  readonly fix?: string;
}

export function pass(name: string, detail: string): CheckResult {
  return { name, status: 'pass', detail };
}

export function fail(name: string, detail: string, fix: string): CheckResult {
  return { name, status: 'fail', detail, fix };
}

export function unknown(name: string, detail: string, fix: string): CheckResult {
  return { name, status: 'unknown', detail, fix };
}

/** An AWS error as one short phrase (name and message), never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const message = error.message.split('\n')[0] ?? '';
    return error.name && error.name !== 'Error' ? `${error.name}: ${message}` : message;
  }
  return String(error);
}
