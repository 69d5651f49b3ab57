import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { stageResourcePrefix } from '../../shared/pipeline-layout';
import type { Construct } from 'constructs';
import { pysparkPythonConfigurations } from '../../processing/emr-pyspark-python';
import { intrinsicFormat } from '../orchestration-asl';
import type { CreateClusterStateProps } from './create-cluster-state-props';
import { RUN_ID_TAG, STAGE_TAG } from './run-cluster-tags';
import { RUN_STATES } from './run-state-names';
import { integrationArn, taskState } from './run-task';

/** Creates the run's own EMR cluster and waits until it is up; its id goes to `$.cluster`. */
export function createClusterState(
  scope: Construct,
  { stage, emr, timeout }: CreateClusterStateProps,
): sfn.CustomState {
  return taskState(scope, RUN_STATES.createCluster, {
    Resource: integrationArn(scope, 'elasticmapreduce:createCluster.sync'),
    TimeoutSeconds: timeout.toSeconds(),
    Parameters: {
      'Name.$': intrinsicFormat(`${stageResourcePrefix(stage)}-{}`, '$.runId'),
      ReleaseLabel: emr.releaseLabel,
      Applications: [{ Name: 'Spark' }],
      // PySpark on the release's declared Python, not EMR's default python3 (3.9 on EMR 7.x).
      Configurations: pysparkPythonConfigurations(emr.releaseLabel),
      ServiceRole: emr.serviceRole.roleName,
      JobFlowRole: emr.instanceProfileName,
      SecurityConfiguration: emr.securityConfigurationName,
      LogUri: emr.logUri,
      // Required true by EMR today; access is governed by IAM and the tag conditions of the role.
      VisibleToAllUsers: true,
      AutoTerminationPolicy: { IdleTimeout: emr.idleTimeoutSeconds },
      Instances: {
        Ec2SubnetId: emr.subnetId,
        EmrManagedMasterSecurityGroup: emr.primarySecurityGroupId,
        EmrManagedSlaveSecurityGroup: emr.coreSecurityGroupId,
        ServiceAccessSecurityGroup: emr.serviceAccessSecurityGroupId,
        KeepJobFlowAliveWhenNoSteps: true,
        TerminationProtected: false,
        InstanceGroups: [
          {
            Name: 'Primary',
            InstanceRole: 'MASTER',
            InstanceType: emr.primaryInstanceType,
            InstanceCount: 1,
            Market: 'ON_DEMAND',
          },
          {
            Name: 'Core',
            InstanceRole: 'CORE',
            InstanceType: emr.coreInstanceType,
            InstanceCount: emr.coreInstanceCount,
            Market: 'ON_DEMAND',
          },
        ],
      },
      Tags: [
        { Key: STAGE_TAG, Value: stage },
        { Key: RUN_ID_TAG, 'Value.$': '$.runId' },
        // AmazonEMRServicePolicy_v2 only manages resources carrying this tag.
        { Key: 'for-use-with-amazon-emr-managed-policies', Value: 'true' },
      ],
    },
    ResultSelector: { 'ClusterId.$': '$.ClusterId' },
    ResultPath: '$.cluster',
  });
}
