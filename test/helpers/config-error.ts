import { ConfigError, loadStageConfig } from '../../lib/config';

/** The ConfigError `action` throws; any other error is rethrown, and no error fails the test. */
export function configErrorOf(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}

/** The ConfigError of loading the stage config from a context reader. */
export function loadErrorOf(read: (key: string) => unknown): ConfigError {
  return configErrorOf(() => loadStageConfig(read));
}
