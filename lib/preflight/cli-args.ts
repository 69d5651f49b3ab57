/** Command line of bin/preflight.ts: the cdk CLI's `-c key=value` plus the preflight's own flags. */
export interface PreflightArgs {
  /** Context values given with -c, as the cdk CLI takes them (strings). */
  readonly context: Record<string, string>;
  readonly lambdaConcurrencyQuota?: number;
  readonly help: boolean;
}

export const USAGE = `Usage: npx tsx bin/preflight.ts [-c stage=<name>] [-c key=value ...] [--lambda-concurrency-quota <n>]

Checks, read-only, every prerequisite of 'cdk deploy --all' for the stage in the
account and region of the current AWS credentials (AWS_PROFILE, AWS_REGION, ...).
  -c, --context key=value          context as for cdk (stage, alarmEmail, ...)
  --lambda-concurrency-quota <n>   the account's Lambda concurrent-executions quota,
                                   used when GetAccountSettings cannot be called
Exit status: 0 when no check failed, 1 when one did, 2 for a bad command line or config.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parsePreflightArgs(argv: readonly string[]): PreflightArgs {
  const context: Record<string, string> = {};
  let lambdaConcurrencyQuota: number | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '-h' || arg === '--help') {
      help = true;
    } else if (arg === '-c' || arg === '--context') {
      const pair = value();
      const at = pair.indexOf('=');
      if (at <= 0) throw new UsageError(`${arg} takes key=value, got '${pair}'`);
      context[pair.slice(0, at)] = pair.slice(at + 1);
    } else if (arg === '--lambda-concurrency-quota') {
      const text = value();
      const quota = Number(text);
      if (!/^\d+$/.test(text) || quota < 1) {
        throw new UsageError(`--lambda-concurrency-quota takes a positive whole number, got '${text}'`);
      }
      lambdaConcurrencyQuota = quota;
    } else {
      throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  return { context, lambdaConcurrencyQuota, help };
}
