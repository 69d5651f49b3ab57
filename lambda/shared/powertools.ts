import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { PROJECT_PASCAL_NAME } from '../../lib/shared/pipeline-layout';

/** Namespace of the pipeline's custom metrics: the slug in PascalCase (also PIPELINE_METRICS_NAMESPACE in the CDK construct). */
export const METRICS_NAMESPACE = PROJECT_PASCAL_NAME;

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/**
 * Powertools logger, metrics and tracer for one handler. Service name and log
 * level come from POWERTOOLS_* variables when set (on AWS), else from here (local
 * runs), so the same handler logs the same way everywhere.
 */
export function createObservability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({
      serviceName,
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    }),
    tracer: new Tracer({ serviceName, captureHTTPsRequests: false }),
  };
}

/** What a handler logs and counts when an invocation fails. */
export interface InvocationFailure {
  /** Logged at error level with the error. */
  readonly message: string;
  /** Custom metric counted once per failed invocation (its alarm watches it). */
  readonly metric: string;
  /**
   * Which errors count toward the metric; the others are logged and rethrown only.
   * @default every error
   */
  readonly counts?: (error: unknown) => boolean;
}

/**
 * Runs one invocation of a handler: a failure is logged, counted and rethrown
 * (the caller retries or fails the run), and the metrics the invocation stored
 * are published whatever happens.
 */
export async function runInvocation<T>(
  observability: Pick<Observability, 'logger' | 'metrics'>,
  failure: InvocationFailure,
  work: () => Promise<T>,
): Promise<T> {
  const { logger, metrics } = observability;
  try {
    return await work();
  } catch (error) {
    logger.error(failure.message, { error });
    if (failure.counts?.(error) ?? true) metrics.addMetric(failure.metric, MetricUnit.Count, 1);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
