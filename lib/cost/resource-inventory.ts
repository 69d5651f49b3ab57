import { readRunDefinition, type RunDefinition } from './state-machine-definition';
import {
  flattenString,
  isRecord,
  numberProperty,
  resourcesOfType,
  type StageTemplates,
} from './template-reader';

/** The MSK cluster's brokers. */
export interface BrokerInventory {
  readonly instanceType: string;
  readonly count: number;
  readonly volumeGiB: number;
}

/** One MSK Connect connector's capacity (autoscaled ones at their minimum). */
export interface ConnectorInventory {
  readonly name: string;
  readonly mcuPerWorker: number;
  readonly workers: number;
}

export type WarehouseInventory =
  | { readonly kind: 'serverless'; readonly baseRpu: number }
  | { readonly kind: 'provisioned'; readonly nodeType: string; readonly nodes: number };

/** Everything in a stage's templates that the estimate prices, read from the templates alone. */
export interface ResourceInventory {
  readonly brokers: readonly BrokerInventory[];
  readonly connectors: readonly ConnectorInventory[];
  readonly natGateways: number;
  /** Interface endpoints: service name (last part of `com.amazonaws.<region>.<name>`) and the zones they have an ENI in. */
  readonly interfaceEndpoints: readonly { readonly service: string; readonly zones: number }[];
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly secrets: number;
  readonly warehouse: WarehouseInventory | undefined;
  /** Protocols of each Transfer Family server (each protocol bills an endpoint-hour). */
  readonly transferServerProtocols: readonly number[];
  /** ScheduleExpression of the rule that starts runs. */
  readonly runSchedule: string | undefined;
  readonly run: RunDefinition | undefined;
  readonly glueJob: { readonly workerType: string; readonly workers: number } | undefined;
  /** Memory of the Lambda functions the run invokes, the largest (a conservative per-invocation size). */
  readonly lambdaMemoryMb: number;
  /** Kafka event source mappings in provisioned mode: their minimum pollers, and the poller group sharing EPUs, if any. */
  readonly provisionedPollers: readonly { readonly minimum: number; readonly group: string | undefined }[];
  /** Crawlers with a schedule of their own (Glue starts them; the run does not), with its expression. */
  readonly scheduledCrawlers: readonly { readonly name: string; readonly schedule: string }[];
}

/** Reads the inventory of a stage from its synthesized templates. */
export function readInventory(templates: StageTemplates): ResourceInventory {
  const of = (type: string) => resourcesOfType(templates, type);
  const machines = of('AWS::StepFunctions::StateMachine');
  if (machines.length > 1) {
    throw new Error(
      `expected one run state machine, found ${machines.length}; say which one runs the pipeline`,
    );
  }
  const schedules = of('AWS::Events::Rule')
    .map((rule) => rule.Properties?.ScheduleExpression)
    .filter((expression): expression is string => typeof expression === 'string');
  const glueJobs = of('AWS::Glue::Job');
  return {
    brokers: of('AWS::MSK::Cluster').map(({ Properties: p = {} }) => {
      const group = isRecord(p.BrokerNodeGroupInfo) ? p.BrokerNodeGroupInfo : {};
      const storage = isRecord(group.StorageInfo) ? group.StorageInfo : {};
      const ebs = isRecord(storage.EBSStorageInfo) ? storage.EBSStorageInfo : {};
      return {
        instanceType: String(group.InstanceType),
        count: numberProperty(p.NumberOfBrokerNodes, 0),
        volumeGiB: numberProperty(ebs.VolumeSize, 0),
      };
    }),
    connectors: of('AWS::KafkaConnect::Connector').map(({ Properties: p = {} }) => {
      const capacity = isRecord(p.Capacity) ? p.Capacity : {};
      const provisioned = isRecord(capacity.ProvisionedCapacity) ? capacity.ProvisionedCapacity : undefined;
      const autoScaling = isRecord(capacity.AutoScaling) ? capacity.AutoScaling : undefined;
      return {
        name: flattenString(p.ConnectorName),
        mcuPerWorker: numberProperty((provisioned ?? autoScaling)?.McuCount, 1),
        workers: numberProperty(provisioned?.WorkerCount ?? autoScaling?.MinWorkerCount, 1),
      };
    }),
    natGateways: of('AWS::EC2::NatGateway').length,
    interfaceEndpoints: of('AWS::EC2::VPCEndpoint')
      .filter((endpoint) => endpoint.Properties?.VpcEndpointType === 'Interface')
      .map(({ Properties: p = {} }) => ({
        service: flattenString(p.ServiceName).split('.').slice(3).join('.'),
        zones: Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 0,
      })),
    kmsKeys: of('AWS::KMS::Key').length,
    alarms: of('AWS::CloudWatch::Alarm').length,
    dashboards: of('AWS::CloudWatch::Dashboard').length,
    secrets: of('AWS::SecretsManager::Secret').length,
    warehouse: readWarehouse(templates),
    transferServerProtocols: of('AWS::Transfer::Server').map(({ Properties: p = {} }) =>
      Array.isArray(p.Protocols) ? p.Protocols.length : 1,
    ),
    runSchedule: schedules[0],
    run: machines[0] ? readRunDefinition(machines[0].Properties?.DefinitionString) : undefined,
    glueJob: glueJobs[0]
      ? {
          workerType: String(glueJobs[0].Properties?.WorkerType),
          workers: numberProperty(glueJobs[0].Properties?.NumberOfWorkers, 0),
        }
      : undefined,
    provisionedPollers: of('AWS::Lambda::EventSourceMapping')
      .map((mapping) => mapping.Properties?.ProvisionedPollerConfig)
      .filter(isRecord)
      .map((config) => ({
        // Lambda's default minimum for a Kafka mapping is 1 poller.
        minimum: numberProperty(config.MinimumPollers, 1),
        group: typeof config.PollerGroupName === 'string' ? config.PollerGroupName : undefined,
      })),
    scheduledCrawlers: of('AWS::Glue::Crawler').flatMap(({ Properties: p = {} }) => {
      const schedule = isRecord(p.Schedule) ? p.Schedule.ScheduleExpression : undefined;
      return typeof schedule === 'string' ? [{ name: flattenString(p.Name), schedule }] : [];
    }),
    lambdaMemoryMb: Math.max(
      128,
      ...of('AWS::Lambda::Function').map((fn) => numberProperty(fn.Properties?.MemorySize, 128)),
    ),
  };
}

function readWarehouse(templates: StageTemplates): WarehouseInventory | undefined {
  const workgroup = resourcesOfType(templates, 'AWS::RedshiftServerless::Workgroup')[0];
  if (workgroup)
    return { kind: 'serverless', baseRpu: numberProperty(workgroup.Properties?.BaseCapacity, 128) };
  const cluster = resourcesOfType(templates, 'AWS::Redshift::Cluster')[0];
  if (!cluster) return undefined;
  const p = cluster.Properties ?? {};
  return {
    kind: 'provisioned',
    nodeType: String(p.NodeType),
    nodes: p.ClusterType === 'single-node' ? 1 : numberProperty(p.NumberOfNodes, 1),
  };
}
