import type { Logger } from '@aws-lambda-powertools/logger';

/** The logging the handlers' logic needs; a Powertools Logger on AWS, anything alike locally. */
export interface RunLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Adapts a Powertools Logger (whose extra arguments are not optional objects) to RunLog. */
export function fromPowertools(logger: Logger): RunLog {
  return {
    info: (message, details) => (details ? logger.info(message, details) : logger.info(message)),
    warn: (message, details) => (details ? logger.warn(message, details) : logger.warn(message)),
  };
}

/** A RunLog that prints JSON lines to stderr (local runs). */
export const consoleRunLog: RunLog = {
  info: (message, details) => console.error(JSON.stringify({ level: 'INFO', message, ...details })),
  warn: (message, details) => console.error(JSON.stringify({ level: 'WARN', message, ...details })),
};
