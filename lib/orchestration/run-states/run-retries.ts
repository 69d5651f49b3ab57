import { Duration } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import {
  apiRetry,
  EMR_TRANSIENT_ERRORS,
  GLUE_TRANSIENT_ERRORS,
  LAMBDA_TRANSIENT_ERRORS,
} from '../orchestration-asl';

/**
 * The run's retry policies, one per kind of trouble. Each call returns a fresh object, so no two
 * states share (and could alter) one retry.
 */

/** EMR API throttling and server errors, for every EMR call except the cluster creation. */
export function emrApiRetry(): sfn.RetryProps {
  return apiRetry(EMR_TRANSIENT_ERRORS);
}

/** Cluster creation waits longer between fewer attempts: each attempt may provision instances. */
export function createClusterRetry(): sfn.RetryProps {
  return apiRetry(EMR_TRANSIENT_ERRORS, { interval: Duration.seconds(30), maxAttempts: 3 });
}

/**
 * One re-run of a failed ATM step: the job is reproducible per run id (spark-jobs/bankpipe/job.py)
 * and transient Spark failures (lost node, S3 503) are common.
 */
export function atmStepRerun(): sfn.RetryProps {
  return { errors: ['States.TaskFailed'], interval: Duration.minutes(1), maxAttempts: 1 };
}

/** Only transient errors are retried; PermanentError and its kinds fail the run at once. */
export function lambdaTaskRetry(): sfn.RetryProps {
  return apiRetry(LAMBDA_TRANSIENT_ERRORS, { interval: Duration.seconds(5), maxAttempts: 4 });
}

/** Another crawl of the processed zone (a manual one) must finish first. */
export function crawlerBusyRetry(): sfn.RetryProps {
  return {
    errors: ['Glue.CrawlerRunningException'],
    interval: Duration.minutes(1),
    backoffRate: 1.5,
    maxAttempts: 8,
  };
}

/** Glue API throttling and server errors; `overrides` for calls that should wait longer. */
export function glueApiRetry(overrides: Partial<sfn.RetryProps> = {}): sfn.RetryProps {
  return apiRetry(GLUE_TRANSIENT_ERRORS, overrides);
}

/** SNS and the KMS key behind the alerts topic, when publishing the failure alert. */
export function alertPublishRetry(): sfn.RetryProps {
  return apiRetry(['SNS.ThrottledException', 'SNS.InternalErrorException', 'SNS.KMSThrottlingException']);
}
