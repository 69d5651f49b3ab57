import { Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { AnalyticsRunTargets } from './analytics-stack';
import type { EmrRunSettings } from './processing-stack';
import type { DataServiceStackProps } from './shared-stack-props';
import type { WarehouseConnection } from './warehouse-stack';

export interface OrchestrationStackProps extends DataServiceStackProps {
  readonly alertsTopic: sns.ITopic;
  readonly emr: EmrRunSettings;
  readonly analytics: AnalyticsRunTargets;
  readonly warehouse: WarehouseConnection;
}

export interface OrchestrationMonitoringTargets {
  readonly stateMachine: sfn.IStateMachine;
  readonly functions: lambda.IFunction[];
  readonly deadLetterQueues: sqs.IQueue[];
}

/** The run: raw data arrived -> EMR step -> crawler -> Glue load -> Redshift refresh, carried by Step Functions. */
export class OrchestrationStack extends Stack {
  readonly monitoringTargets!: OrchestrationMonitoringTargets;

  constructor(scope: Construct, id: string, props: OrchestrationStackProps) {
    super(scope, id, props);
    // TODO(helper): implement
  }
}
