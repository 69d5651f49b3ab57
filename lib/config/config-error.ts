/**
 * A configuration mistake found before synthesis. The message always names the
 * offending context key and says how to fix it, because the reader is someone
 * running `cdk synth` who cannot see this code.
 */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    problem: string,
    fix: string,
  ) {
    super(`Invalid configuration '${key}': ${problem}. Fix: ${fix}`);
    this.name = 'ConfigError';
  }
}
