import { S3Client } from '@aws-sdk/client-s3';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { s3ClientConfig } from '../shared/clients';
import { requireEnv } from '../shared/config';
import { fromPowertools } from '../shared/log';
import { createObservability, runInvocation } from '../shared/powertools';
import { createS3ManifestStore, createS3RawLineCounter } from './aws-ports';
import { type ReconcileRunResult, reconcileRun } from './reconcile-run';

/** reconcile-run: a Step Functions task after the ATM step; fails the run when the manifest does not add up or misses raw lines. */
const { logger, metrics, tracer } = createObservability('reconcile-run');
const s3 = tracer.captureAWSv3Client(new S3Client(s3ClientConfig()));
const ports = {
  manifests: createS3ManifestStore(
    s3,
    requireEnv(process.env, 'PROCESSED_BUCKET', 'the name of the processed-zone bucket'),
  ),
  raw: createS3RawLineCounter(s3, requireEnv(process.env, 'RAW_BUCKET', 'the name of the raw-zone bucket')),
};

export async function handler(event: unknown): Promise<ReconcileRunResult> {
  const failure = { message: 'reconciliation failed', metric: 'ReconciliationFailures' };
  return runInvocation({ logger, metrics }, failure, async () => {
    const result = await reconcileRun(event, ports, fromPowertools(logger));
    metrics.addMetric('RawLines', MetricUnit.Count, result.rawLines);
    metrics.addMetric('RecordsRead', MetricUnit.Count, result.read);
    metrics.addMetric('RecordsValid', MetricUnit.Count, result.valid);
    metrics.addMetric('RecordsQuarantined', MetricUnit.Count, result.quarantined);
    metrics.addMetric('RecordsDuplicate', MetricUnit.Count, result.duplicates);
    return result;
  });
}
