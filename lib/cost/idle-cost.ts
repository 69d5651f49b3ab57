import { COST_ASSUMPTIONS } from './assumptions';
import { formatPrice, type PricedLine } from './priced-line';
import { priceOf, type PriceList } from './price-list';
import type { ResourceInventory } from './resource-inventory';

/**
 * What a stage bills in a month with no run at all: the always-on resources of
 * its templates, and the data it keeps (COST_ASSUMPTIONS). Zero-dollar items
 * are left out.
 */
export function idleLines(inventory: ResourceInventory, prices: PriceList): PricedLine[] {
  const hours = prices.hoursPerMonth;
  const price = (key: string): number => priceOf(prices, key);
  const lines: PricedLine[] = [];
  const add = (item: string, basis: string, usd: number): void => {
    if (usd > 0) lines.push({ item, basis, usd });
  };

  for (const broker of inventory.brokers) {
    const hourly = price(`msk.brokerHour.${broker.instanceType}`);
    add(
      'MSK brokers',
      `${broker.count} × ${broker.instanceType} × ${hours} h × ${formatPrice(hourly)}`,
      broker.count * hours * hourly,
    );
    add(
      'MSK broker storage',
      `${broker.count} × ${broker.volumeGiB} GB × ${formatPrice(price('msk.storageGbMonth'))}/GB-month`,
      broker.count * broker.volumeGiB * price('msk.storageGbMonth'),
    );
  }
  const mcus = inventory.connectors.reduce((sum, c) => sum + c.mcuPerWorker * c.workers, 0);
  add(
    'MSK Connect workers',
    `${mcus} MCU (${inventory.connectors.length} connectors × workers × MCU per worker) × ${hours} h × ${formatPrice(price('mskConnect.mcuHour'))}`,
    mcus * hours * price('mskConnect.mcuHour'),
  );
  add(
    'NAT gateways',
    `${inventory.natGateways} × ${hours} h × ${formatPrice(price('vpc.natGatewayHour'))}`,
    inventory.natGateways * hours * price('vpc.natGatewayHour'),
  );
  const endpointZones = inventory.interfaceEndpoints.reduce((sum, e) => sum + e.zones, 0);
  const zoneCounts = [...new Set(inventory.interfaceEndpoints.map((e) => e.zones))].join('/');
  add(
    'Interface endpoints',
    `${inventory.interfaceEndpoints.length} × ${zoneCounts} AZ × ${hours} h × ${formatPrice(price('privatelink.interfaceEndpointAzHour'))}`,
    endpointZones * hours * price('privatelink.interfaceEndpointAzHour'),
  );
  add(
    'KMS keys',
    `${inventory.kmsKeys} × ${formatPrice(price('kms.keyMonth'))}`,
    inventory.kmsKeys * price('kms.keyMonth'),
  );
  add(
    'CloudWatch alarms',
    `${inventory.alarms} × ${formatPrice(price('cloudwatch.alarmMonth'))}`,
    inventory.alarms * price('cloudwatch.alarmMonth'),
  );
  add(
    'CloudWatch dashboards',
    `${inventory.dashboards} × ${formatPrice(price('cloudwatch.dashboardMonth'))}`,
    inventory.dashboards * price('cloudwatch.dashboardMonth'),
  );
  add(
    'Secrets Manager secrets',
    `${inventory.secrets} × ${formatPrice(price('secretsManager.secretMonth'))}`,
    inventory.secrets * price('secretsManager.secretMonth'),
  );
  const warehouse = inventory.warehouse;
  if (warehouse?.kind === 'provisioned') {
    const hourly = price(`redshift.nodeHour.${warehouse.nodeType}`);
    add(
      'Redshift nodes',
      `${warehouse.nodes} × ${warehouse.nodeType} × ${hours} h × ${formatPrice(hourly)}`,
      warehouse.nodes * hours * hourly,
    );
  }
  if (warehouse !== undefined) {
    // Serverless compute bills only while queries run (see runLines); storage bills either way.
    add(
      'Redshift managed storage',
      `${COST_ASSUMPTIONS.warehouseGb} GB × ${formatPrice(price('redshift.managedStorageGbMonth'))}/GB-month`,
      COST_ASSUMPTIONS.warehouseGb * price('redshift.managedStorageGbMonth'),
    );
  }
  const epus = eventPollerUnits(inventory.provisionedPollers);
  add(
    'Lambda event pollers (live alerts)',
    `${epus} EPU (${inventory.provisionedPollers.length} Kafka mapping, provisioned mode) × ${hours} h × ${formatPrice(price('lambda.eventPollerUnitHourKafka'))}`,
    epus * hours * price('lambda.eventPollerUnitHourKafka'),
  );
  const protocols = inventory.transferServerProtocols.reduce((sum, n) => sum + n, 0);
  add(
    'Transfer Family SFTP endpoint',
    `${protocols} protocol × ${hours} h × ${formatPrice(price('transferFamily.protocolHour'))}`,
    protocols * hours * price('transferFamily.protocolHour'),
  );
  add(
    'S3 data lake storage',
    `${COST_ASSUMPTIONS.dataLakeGb} GB × ${formatPrice(price('s3.standardGbMonth'))}/GB-month`,
    COST_ASSUMPTIONS.dataLakeGb * price('s3.standardGbMonth'),
  );
  return lines;
}

/** Event pollers one Kafka Event Poller Unit holds (Lambda pricing page). */
export const KAFKA_POLLERS_PER_EPU = 10;

/**
 * EPUs the provisioned Kafka mappings keep at their minimum: a mapping
 * outside a poller group has EPUs of its own (at least one); mappings of one
 * group share theirs.
 */
export function eventPollerUnits(mappings: ResourceInventory['provisionedPollers']): number {
  const pollersByGroup = new Map<string, number>();
  let units = 0;
  for (const mapping of mappings) {
    if (mapping.group === undefined) {
      units += Math.max(1, Math.ceil(mapping.minimum / KAFKA_POLLERS_PER_EPU));
    } else {
      pollersByGroup.set(mapping.group, (pollersByGroup.get(mapping.group) ?? 0) + mapping.minimum);
    }
  }
  for (const pollers of pollersByGroup.values()) {
    units += Math.max(1, Math.ceil(pollers / KAFKA_POLLERS_PER_EPU));
  }
  return units;
}
