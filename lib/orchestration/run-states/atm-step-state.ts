import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { intrinsicFormat, intrinsicLiteral } from '../orchestration-asl';
import type { AtmStepStateProps } from './atm-step-state-props';
import { RUN_STATES, ATM_STEP_NAME_PREFIX } from './run-state-names';
import { integrationArn, taskState } from './run-task';

/** Runs the ATM Spark job for the run's raw prefix as a step on the run's cluster and waits for it. */
export function atmStepState(scope: Construct, props: AtmStepStateProps): sfn.CustomState {
  const { emr } = props;
  return taskState(scope, RUN_STATES.runAtmJob, {
    Resource: integrationArn(scope, 'elasticmapreduce:addStep.sync'),
    TimeoutSeconds: props.timeout.toSeconds(),
    Parameters: {
      'ClusterId.$': '$.cluster.ClusterId',
      Step: {
        'Name.$': intrinsicFormat(`${ATM_STEP_NAME_PREFIX}{}`, '$.runId'),
        ActionOnFailure: 'CONTINUE',
        HadoopJarStep: {
          Jar: 'command-runner.jar',
          // One intrinsic array, because the input prefix and the run id come from the execution input.
          'Args.$':
            'States.Array(' +
            [
              intrinsicLiteral('spark-submit'),
              intrinsicLiteral('--deploy-mode'),
              intrinsicLiteral('cluster'),
              intrinsicLiteral('--py-files'),
              intrinsicLiteral(emr.atmJobPyFilesUri),
              intrinsicLiteral(emr.atmJobScriptUri),
              intrinsicLiteral('--input'),
              intrinsicFormat(s3Uri(props.rawBucket, '{}'), '$.rawPrefix'),
              intrinsicLiteral('--output'),
              intrinsicLiteral(s3Uri(props.processedBucket)),
              intrinsicLiteral('--quarantine'),
              intrinsicLiteral(s3Uri(props.quarantineBucket)),
              intrinsicLiteral('--run-id'),
              '$.runId',
            ].join(', ') +
            ')',
        },
      },
    },
    ResultPath: null,
  });
}

function s3Uri(bucket: s3.IBucket, key = ''): string {
  return `s3://${bucket.bucketName}/${key}`;
}
