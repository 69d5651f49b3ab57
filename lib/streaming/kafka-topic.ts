import * as path from 'node:path';
import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { LAMBDA_NODEJS_RUNTIME } from '../config/aws-runtimes';
import { skipCheckov } from '../shared/checkov';
import { encryptedLogGroup } from '../shared/encrypted-log-group';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import type { MskCluster } from './msk-cluster';
import { PipelineFunction, PipelineFunctionBaselinePolicy } from '../shared/pipeline-function';

const HANDLER_ENTRY = path.join(__dirname, '..', '..', 'lambda', 'kafka-topic', 'index.ts');

export interface KafkaTopicProps {
  readonly config: StageConfig;
  readonly cluster: MskCluster;
  readonly topicName: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level configs, e.g. { 'min.insync.replicas': '2' }. @default none */
  readonly topicConfigs?: Readonly<Record<string, string>>;
  /** Encrypts the handler's environment and logs. */
  readonly dataKey: kms.IKey;
  readonly vpc: ec2.IVpc;
  /** Subnets the handler runs in (they must reach the brokers and the MSK API). */
  readonly subnets: ec2.SubnetSelection;
  /** The handler's security group; it must be allowed to the brokers on 9098. */
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * A Kafka topic created through a CloudFormation custom resource, so it exists
 * before anything that depends on it (the connectors) starts. The handler
 * (`lambda/kafka-topic`, kafkajs over SASL/IAM TLS) creates the topic, raises
 * its partition count, refuses to shrink it, and leaves it in place on delete.
 * It also returns the cluster's SASL/IAM bootstrap brokers as the attribute
 * `BootstrapBrokers`: whoever uses them is ordered after the topic.
 *
 * Bundle size: about 285 KB minified, above the 150 KB budget, because the
 * handler bundles kafkajs (the only pure-JavaScript Kafka admin client; the
 * Lambda runtime has none). It runs only during deployments, so cold-start
 * cost does not matter here.
 */
export class KafkaTopic extends Construct {
  readonly resource: CustomResource;
  readonly topicName: string;
  readonly handler: PipelineFunction;

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    this.topicName = props.topicName;
    const { cluster } = props;

    this.handler = new PipelineFunction(this, 'Handler', {
      entry: HANDLER_ENTRY,
      description: `Creates the Kafka topic ${props.topicName} on ${cluster.clusterName} (CloudFormation custom resource)`,
      serviceName: 'kafka-topic',
      config: props.config,
      dataKey: props.dataKey,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroup: props.securityGroup,
      timeout: Duration.minutes(5),
      // Invoked synchronously by the provider framework, which reports failures to CloudFormation.
      deadLetterQueue: false,
    });
    const handlerRole = this.handler.role;
    handlerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ConnectAndFindBrokers',
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka:GetBootstrapBrokers'],
        resources: [cluster.clusterArn],
      }),
    );
    handlerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageTheOneTopic',
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: [cluster.topicArn(props.topicName)],
      }),
    );
    skipCheckov(
      this.handler.function,
      'CKV_AWS_115',
      'Runs once per deployment that changes the topic, invoked by CloudFormation; a reservation would only take capacity from the account pool',
    );
    skipCheckov(
      this.handler.function,
      'CKV_AWS_116',
      'Invoked synchronously by the custom-resource provider, which reports a failure to CloudFormation (the deployment fails); a DLQ would never receive anything',
    );

    const provider = this.createProvider(props);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::KafkaTopic',
      properties: {
        ClusterArn: cluster.clusterArn,
        // Not read by the handler: a changed broker count re-runs it, refreshing BootstrapBrokers.
        BrokerCount: String(props.config.streaming.brokerCount),
        TopicName: props.topicName,
        Partitions: String(props.partitions),
        ReplicationFactor: String(props.replicationFactor),
        Configs: props.topicConfigs ?? {},
      },
    });
    this.resource.node.addDependency(cluster.cluster);
  }

  /** The cluster's SASL/IAM bootstrap string, available once the topic exists. */
  get bootstrapBrokers(): string {
    return this.resource.getAttString('BootstrapBrokers');
  }

  /**
   * The provider framework's own Lambda, in the VPC with the handler's security
   * group, and a role with exactly the permissions written here (immutable, so
   * the framework's own grants cannot add an inline policy).
   */
  private createProvider(props: KafkaTopicProps): cr.Provider {
    const onEvent = this.handler.function;
    const logGroup = encryptedLogGroup(this, 'ProviderLogs', {
      config: props.config,
      dataKey: props.dataKey,
    });
    const role = new ManagedPolicyRole(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Custom-resource provider framework of the Kafka topic ${props.topicName}`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeTheTopicHandler',
        actions: ['lambda:InvokeFunction', 'lambda:GetFunction'],
        resources: [onEvent.functionArn],
      }),
    );
    logGroup.grantWrite(role);
    const baseline = PipelineFunctionBaselinePolicy.of(this);
    baseline.allowNetworkInterfacesIn(props.vpc.selectSubnets(props.subnets).subnets, props.securityGroup);
    baseline.attachToRole(role);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      frameworkOnEventRole: role.withoutPolicyUpdates(),
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      providerFunctionEnvEncryption: props.dataKey,
    });
    const framework = provider.node
      .findAll()
      .find((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction);
    if (framework) {
      // Lambda checks the network-interface permissions when the function is created.
      framework.node.addDependency(role.permissionsPolicy, baseline.policy);
      this.noteFrameworkFunction(framework);
    }
    return provider;
  }

  private noteFrameworkFunction(framework: lambda.CfnFunction): void {
    const runtime = Stack.of(this).resolve(framework.runtime) as unknown;
    if (typeof runtime === 'string' && runtime !== LAMBDA_NODEJS_RUNTIME.name) {
      Validations.of(framework).acknowledge({
        id: 'AwsSolutions-L1',
        reason: `The Kafka topic's provider framework Lambda is CDK-provided; CDK picks its Node.js runtime (${runtime}) per region and no prop overrides it`,
      });
    }
    skipCheckov(
      framework,
      'CKV_AWS_115',
      "The Kafka topic's provider framework Lambda runs only when CloudFormation changes the topic; a reservation would only take capacity from the account pool",
    );
    skipCheckov(
      framework,
      'CKV_AWS_116',
      "CloudFormation waits for the Kafka topic's provider framework Lambda and fails the deployment if it does not answer; a DLQ would never receive anything",
    );
  }
}
