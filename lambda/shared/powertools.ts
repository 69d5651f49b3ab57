import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** Namespace of the pipeline's custom metrics (also PIPELINE_METRICS_NAMESPACE in the CDK construct). */
export const METRICS_NAMESPACE = 'BankPipeline';

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
