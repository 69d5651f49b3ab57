import { ConfigError } from './config-error';
import type { NetworkConfig, StageConfig, WarehouseKind } from './stage-config';

/**
 * The interface VPC endpoints the network stack can create, by the last part
 * of their AWS service name (`com.amazonaws.<region>.<name>`).
 */
export const INTERFACE_ENDPOINT_NAMES = [
  'kms',
  'secretsmanager',
  'sts',
  'logs',
  'monitoring',
  'glue',
  'elasticmapreduce',
  'states',
  'sns',
  'sqs',
  'redshift-data',
  'redshift',
  'redshift-serverless',
  'kafka',
  'athena',
  'lambda',
] as const;

export type InterfaceEndpointName = (typeof INTERFACE_ENDPOINT_NAMES)[number];

/** One client inside the VPC and the AWS APIs it calls from there (its security group egresses to the endpoints only). */
export interface EndpointNeed {
  readonly client: string;
  readonly endpoint: InterfaceEndpointName;
  readonly why: string;
}

/**
 * Every AWS API a client inside the VPC calls, and why. S3 and DynamoDB go
 * through the gateway endpoints and are not listed. Calls AWS makes on its
 * side (Step Functions starting EMR or a Glue job, Lambda writing logs or to
 * its dead-letter queue, CloudWatch publishing to SNS, S3 using KMS for
 * SSE-KMS objects) need no endpoint.
 */
export function interfaceEndpointNeeds(
  config: Pick<StageConfig, 'warehouse' | 'liveAlerts'>,
): readonly EndpointNeed[] {
  const warehouseKind = config.warehouse.kind;
  return [
    {
      client: 'MSK Connect SFTP source',
      endpoint: 'secretsmanager',
      why: 'its config provider reads the SFTP connection secret',
    },
    {
      client: 'EMR nodes',
      endpoint: 'kms',
      why: 'local-disk encryption asks KMS for its data key when a node starts',
    },
    { client: 'start-run Lambda', endpoint: 'states', why: 'starts the run state machine' },
    { client: 'crawler-status Lambda', endpoint: 'glue', why: 'reads the crawler state' },
    {
      client: 'refresh-reports and warehouse-schema Lambdas',
      endpoint: 'redshift-data',
      why: 'run their SQL through the Redshift Data API',
    },
    {
      client: 'transactions-topic Lambda',
      endpoint: 'kafka',
      why: "reads the cluster's bootstrap brokers (at deploy)",
    },
    {
      client: 'custom-resource providers',
      endpoint: 'lambda',
      why: 'the provider framework invokes its handler (at deploy)',
    },
    // The live-alerts stack exists only with liveAlerts.enabled, and so do its clients.
    ...(config.liveAlerts.enabled
      ? ([
          { client: 'live-alerts Lambda', endpoint: 'sns', why: 'publishes each new fraud alert' },
          {
            client: 'live-alerts MSK event source pollers',
            endpoint: 'sts',
            why: "run in the cluster's subnets and call STS and Lambda through the endpoints (Lambda's MSK networking guide)",
          },
        ] as const)
      : []),
    { client: 'Glue load job', endpoint: 'glue', why: 'job bookmarks and the connection' },
    { client: 'Glue load job', endpoint: 'logs', why: 'continuous logging' },
    { client: 'Glue load job', endpoint: 'monitoring', why: 'job metrics (PutMetricData)' },
    {
      client: 'Glue load job',
      endpoint: warehouseKind === 'serverless' ? 'redshift-serverless' : 'redshift',
      why: "temporary database credentials from the warehouse's API",
    },
  ];
}

/**
 * The endpoints a stage gets when it leaves `network.interfaceEndpoints` unset:
 * every API a job might call, so a new client works before anyone lists it.
 */
export function defaultInterfaceEndpoints(warehouseKind: WarehouseKind): readonly InterfaceEndpointName[] {
  const otherWarehouseApi: InterfaceEndpointName =
    warehouseKind === 'serverless' ? 'redshift' : 'redshift-serverless';
  return INTERFACE_ENDPOINT_NAMES.filter((name) => name !== otherWarehouseApi);
}

/** The endpoints the stage creates: its list, or the default set. */
export function interfaceEndpointsOf(
  network: NetworkConfig,
  warehouseKind: WarehouseKind,
): readonly InterfaceEndpointName[] {
  return (
    (network.interfaceEndpoints as readonly InterfaceEndpointName[] | undefined) ??
    defaultInterfaceEndpoints(warehouseKind)
  );
}

/** The number of zones that hold an ENI of every interface endpoint. */
export function endpointAzCountOf(network: NetworkConfig): number {
  return network.endpointAzCount ?? network.maxAzs;
}

/** Checks the form of `network.interfaceEndpoints`: a list of known endpoint names, each once. */
export function checkInterfaceEndpointList(key: string, listed: unknown): void {
  if (!Array.isArray(listed)) {
    throw new ConfigError(
      key,
      `${JSON.stringify(listed)} is not a list`,
      `write it as a list of endpoint names, e.g. ["kms", "glue"], or leave it out for the full set`,
    );
  }
  const seen = new Set<string>();
  for (const name of listed as unknown[]) {
    if (typeof name !== 'string' || !(INTERFACE_ENDPOINT_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError(
        key,
        `${JSON.stringify(name)} is not an interface endpoint this app knows`,
        `use names from: ${INTERFACE_ENDPOINT_NAMES.join(', ')}`,
      );
    }
    if (seen.has(name)) {
      throw new ConfigError(key, `"${name}" is listed twice`, 'list each endpoint once');
    }
    seen.add(name);
  }
}

/**
 * Checks that a `network.interfaceEndpoints` list (already well-formed) keeps
 * every endpoint a client inside the VPC needs; which ones depends on
 * `warehouse.kind` and `liveAlerts.enabled`.
 */
export function checkInterfaceEndpointNeeds(
  key: string,
  listed: readonly string[],
  config: Pick<StageConfig, 'warehouse' | 'liveAlerts'>,
): void {
  for (const need of interfaceEndpointNeeds(config)) {
    if (!listed.includes(need.endpoint)) {
      throw new ConfigError(
        key,
        `the ${need.client} needs the "${need.endpoint}" endpoint (${need.why}), which the list leaves out`,
        `add "${need.endpoint}" to the list (its security group reaches AWS APIs through the endpoints only)`,
      );
    }
  }
}

/** Checks `network.endpointAzCount`: 1 to `network.maxAzs`, or unset for every zone. */
export function checkEndpointAzCount(key: string, azCount: unknown, maxAzs: number): void {
  if (
    azCount !== undefined &&
    (typeof azCount !== 'number' || !Number.isInteger(azCount) || azCount < 1 || azCount > maxAzs)
  ) {
    throw new ConfigError(
      key,
      `${JSON.stringify(azCount)} is not a whole number from 1 to network.maxAzs (${maxAzs})`,
      `set it to a value from 1 to ${maxAzs}, or leave it out for an endpoint ENI in every zone`,
    );
  }
}
