import { S3Client } from '@aws-sdk/client-s3';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { s3ClientConfig } from '../shared/clients';
import { requireEnv } from '../shared/config';
import { fromPowertools } from '../shared/log';
import { createObservability } from '../shared/powertools';
import { createS3ManifestStore } from './aws-ports';
import { type ReconcileRunResult, reconcileRun } from './reconcile-run';

/** reconcile-run: a Step Functions task after the ATM step; fails the run when the manifest does not add up. */
const { logger, metrics, tracer } = createObservability('reconcile-run');
const store = createS3ManifestStore(
  tracer.captureAWSv3Client(new S3Client(s3ClientConfig())),
  requireEnv(process.env, 'PROCESSED_BUCKET', 'the name of the processed-zone bucket'),
);

export async function handler(event: unknown): Promise<ReconcileRunResult> {
  try {
    const result = await reconcileRun(event, store, fromPowertools(logger));
    metrics.addMetric('RecordsRead', MetricUnit.Count, result.read);
    metrics.addMetric('RecordsValid', MetricUnit.Count, result.valid);
    metrics.addMetric('RecordsQuarantined', MetricUnit.Count, result.quarantined);
    metrics.addMetric('RecordsDuplicate', MetricUnit.Count, result.duplicates);
    return result;
  } catch (error) {
    logger.error('reconciliation failed', { error });
    metrics.addMetric('ReconciliationFailures', MetricUnit.Count, 1);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
