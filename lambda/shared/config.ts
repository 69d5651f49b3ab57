/**
 * Reads a handler's settings from environment variables. Every problem names
 * the variable and says where it comes from, because the reader is someone
 * looking at a failed invocation (on AWS) or a failed local-twin step.
 */

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

type Env = Readonly<Record<string, string | undefined>>;

const WHERE = 'set by OrchestrationStack on AWS, or by the local twin when it invokes the handler';

/** A required, non-empty variable. */
export function requireEnv(env: Env, name: string, meaning: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(
      `Environment variable ${name} is missing or empty: it must hold ${meaning} (${WHERE}).`,
    );
  }
  return value.trim();
}

/** An optional variable with a default. */
export function optionalEnv(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

/** A whole number within bounds; the default applies when the variable is absent. */
export function integerEnv(
  env: Env,
  name: string,
  meaning: string,
  bounds: { min: number; max: number; fallback?: number },
): number {
  const raw = env[name];
  if ((raw === undefined || raw.trim() === '') && bounds.fallback !== undefined) return bounds.fallback;
  const text = requireEnv(env, name, meaning);
  const value = Number(text);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new ConfigurationError(
      `Environment variable ${name}=${JSON.stringify(text)} is not a whole number from ${bounds.min} to ${bounds.max}: it must hold ${meaning} (${WHERE}).`,
    );
  }
  return value;
}

/** A comma-separated list with at least one entry, each checked by `pattern`. */
export function listEnv(env: Env, name: string, meaning: string, pattern: RegExp): string[] {
  const items = requireEnv(env, name, meaning)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const bad = items.filter((item) => !pattern.test(item));
  if (items.length === 0 || bad.length > 0) {
    throw new ConfigurationError(
      `Environment variable ${name} has ${items.length === 0 ? 'no entries' : `invalid entries ${JSON.stringify(bad)}`}: it must hold ${meaning} (${WHERE}).`,
    );
  }
  return items;
}

/** One of a fixed set of values. */
export function oneOfEnv<T extends string>(env: Env, name: string, allowed: readonly T[]): T {
  const value = requireEnv(env, name, `one of ${allowed.join(', ')}`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigurationError(
      `Environment variable ${name}=${JSON.stringify(value)} must be one of ${allowed.join(', ')} (${WHERE}).`,
    );
  }
  return value as T;
}
