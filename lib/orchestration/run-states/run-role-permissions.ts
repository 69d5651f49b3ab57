import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { ManagedPolicyRole } from '../../shared/managed-policy-role';
import { acknowledgeWildcardResource } from '../../shared/nag-acknowledgements';
import { RUN_ID_TAG, STAGE_TAG } from './run-cluster-tags';
import type { RunRolePermissionsProps } from './run-role-permissions-props';

/** Exactly what the run's states call, nothing the CDK task classes would add on their own. */
export function grantRunPermissions(role: ManagedPolicyRole, props: RunRolePermissionsProps): void {
  const stack = Stack.of(role);
  const { stage } = props;
  const clusters = runClustersArn(stack);
  const ownStageClusters = { StringEquals: { [`elasticmapreduce:ResourceTag/${STAGE_TAG}`]: stage } };
  const statements = [
    new iam.PolicyStatement({
      sid: 'CreateRunClustersTaggedWithStage',
      // RunJobFlow has no resource type (the cluster does not exist yet). The tags of the request are
      // authorized by RunJobFlow itself, tag-on-create needs no AddTags, so every cluster this role
      // creates carries this stage's tag.
      actions: ['elasticmapreduce:RunJobFlow'],
      resources: ['*'],
      conditions: { StringEquals: { [`elasticmapreduce:RequestTag/${STAGE_TAG}`]: stage } },
    }),
    new iam.PolicyStatement({
      sid: 'TagOnlyOwnStageClusters',
      // Only clusters that already carry this stage's tag, only the run's own tag keys, and never
      // another stage value: tagging any other cluster with this stage would bring it under
      // DriveOwnStageClusters below.
      actions: ['elasticmapreduce:AddTags'],
      resources: [clusters],
      conditions: {
        StringEquals: { [`elasticmapreduce:ResourceTag/${STAGE_TAG}`]: stage },
        StringEqualsIfExists: { [`elasticmapreduce:RequestTag/${STAGE_TAG}`]: stage },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [STAGE_TAG, RUN_ID_TAG] },
      },
    }),
    new iam.PolicyStatement({
      sid: 'DriveOwnStageClusters',
      actions: [
        'elasticmapreduce:DescribeCluster',
        'elasticmapreduce:TerminateJobFlows',
        'elasticmapreduce:AddJobFlowSteps',
        'elasticmapreduce:DescribeStep',
        'elasticmapreduce:CancelSteps',
      ],
      resources: [clusters],
      conditions: ownStageClusters,
    }),
    new iam.PolicyStatement({
      sid: 'PassEmrRoles',
      actions: ['iam:PassRole'],
      resources: [props.emr.serviceRole.roleArn, props.emr.jobFlowRole.roleArn],
    }),
    new iam.PolicyStatement({
      sid: 'EmrCleanupServiceLinkedRole',
      actions: ['iam:CreateServiceLinkedRole'],
      resources: [
        stack.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: 'aws-service-role/elasticmapreduce.amazonaws.com/AWSServiceRoleForEMRCleanup',
        }),
      ],
      conditions: { StringEquals: { 'iam:AWSServiceName': 'elasticmapreduce.amazonaws.com' } },
    }),
    new iam.PolicyStatement({
      sid: 'SyncIntegrationRules',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [
        stack.formatArn({
          service: 'events',
          resource: 'rule',
          resourceName: 'StepFunctionsGetEventForEMRRunJobFlowRule',
        }),
        stack.formatArn({
          service: 'events',
          resource: 'rule',
          resourceName: 'StepFunctionsGetEventForEMRAddJobFlowStepsRule',
        }),
      ],
    }),
    ...(props.crawl
      ? [
          new iam.PolicyStatement({
            sid: 'StartProcessedCrawler',
            actions: ['glue:StartCrawler'],
            resources: [
              stack.formatArn({
                service: 'glue',
                resource: 'crawler',
                resourceName: props.crawl.processedCrawlerName,
              }),
            ],
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'RunLoadJob',
      actions: ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
      resources: [stack.formatArn({ service: 'glue', resource: 'job', resourceName: props.loadJobName })],
    }),
    new iam.PolicyStatement({
      sid: 'InvokeRunFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: [
        props.reconcileFunction.functionArn,
        ...(props.crawl ? [props.crawl.crawlerStatusFunction.functionArn] : []),
        props.refreshReportsFunction.functionArn,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'PublishFailureAlerts',
      actions: ['sns:Publish'],
      resources: [props.alertsTopic.topicArn],
    }),
    new iam.PolicyStatement({
      sid: 'EncryptAlertsWithPipelineKey',
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.dataKey.keyArn],
    }),
  ];
  statements.forEach((statement) => role.addToPrincipalPolicy(statement));
}

/** Call after grantRunPermissions, so the role's policy exists. */
export function acknowledgeUnscopedRunActions(role: ManagedPolicyRole): void {
  const policy = role.permissionsPolicy;
  acknowledgeWildcardResource(
    policy,
    '*',
    'Run state machine role: elasticmapreduce:RunJobFlow has no resource type (the cluster does not exist yet) and is limited by a RequestTag condition to clusters tagged with this stage; ' +
      'the CloudWatch Logs vended-delivery actions (logs:CreateLogDelivery, ...) and X-Ray PutTraceSegments/GetSampling* that Step Functions logging and tracing need support no resource-level permissions',
  );
  acknowledgeWildcardResource(
    policy,
    runClustersArn(Stack.of(role)),
    'Run state machine role: the per-run EMR cluster id is only known at run time; the actions (AddTags included) are limited by an elasticmapreduce:ResourceTag condition to clusters already tagged with this stage',
  );
}

/** Every EMR cluster of the account and region: run cluster ids are only known at run time. */
function runClustersArn(stack: Stack): string {
  return stack.formatArn({ service: 'elasticmapreduce', resource: 'cluster', resourceName: '*' });
}
