import { BILLING_MINIMUM_MINUTES, COST_ASSUMPTIONS, GLUE_DPUS_PER_WORKER } from './assumptions';
import { formatPrice, type PricedLine } from './priced-line';
import { priceOf, type PriceList } from './price-list';
import type { ResourceInventory } from './resource-inventory';

/** EMR's instance roles by the names the rest of the project uses. */
const EMR_ROLE_NAMES: Readonly<Record<string, string>> = { MASTER: 'primary', CORE: 'core', TASK: 'task' };

/**
 * What one run bills: the EMR cluster the state machine creates (its instance
 * groups read from the definition), the crawler and Glue job it starts, the
 * warehouse's compute, the state transitions, Lambda and DynamoDB requests.
 * Durations are COST_ASSUMPTIONS, floored at each service's minimum billing.
 */
export function runLines(inventory: ResourceInventory, prices: PriceList): PricedLine[] {
  const price = (key: string): number => priceOf(prices, key);
  const run = inventory.run;
  if (run === undefined) return [];
  const lines: PricedLine[] = [];
  const a = COST_ASSUMPTIONS;

  const emrHours = Math.max(a.emrMinutesPerRun, BILLING_MINIMUM_MINUTES.emr) / 60;
  for (const group of run.emrInstanceGroups) {
    const hourly =
      price(`ec2.instanceHour.${group.instanceType}`) + price(`emr.instanceHour.${group.instanceType}`);
    lines.push({
      item: `EMR ${EMR_ROLE_NAMES[group.role] ?? group.role.toLowerCase()} nodes`,
      basis: `${group.count} × ${group.instanceType} × ${a.emrMinutesPerRun} min × ${formatPrice(hourly)}/h (EC2 + EMR)`,
      usd: group.count * emrHours * hourly,
    });
  }

  const dpuHour = price('glue.dpuHour');
  if (run.crawlerStarts > 0) {
    const minutes = Math.max(a.crawlerMinutesPerRun, BILLING_MINIMUM_MINUTES.crawler);
    lines.push({
      item: 'Glue crawler',
      basis: `${run.crawlerStarts} × ${a.crawlerDpus} DPU × ${minutes} min (minimum) × ${formatPrice(dpuHour)}`,
      usd: (run.crawlerStarts * a.crawlerDpus * minutes * dpuHour) / 60,
    });
  }
  if (run.glueJobRuns > 0 && inventory.glueJob) {
    const { workerType, workers } = inventory.glueJob;
    const dpus = workers * (GLUE_DPUS_PER_WORKER[workerType] ?? 1);
    const minutes = Math.max(a.glueJobMinutesPerRun, BILLING_MINIMUM_MINUTES.glueJob);
    lines.push({
      item: 'Glue load job',
      basis: `${workers} × ${workerType} (${dpus} DPU) × ${minutes} min × ${formatPrice(dpuHour)}`,
      usd: (run.glueJobRuns * dpus * minutes * dpuHour) / 60,
    });
  }
  if (inventory.warehouse?.kind === 'serverless') {
    const seconds = Math.max(a.warehouseActiveSecondsPerRun, BILLING_MINIMUM_MINUTES.redshiftServerless * 60);
    const rpuHour = price('redshiftServerless.rpuHour');
    lines.push({
      item: 'Redshift Serverless compute',
      basis: `${inventory.warehouse.baseRpu} RPU × ${seconds} s × ${formatPrice(rpuHour)}/RPU-hour`,
      usd: (inventory.warehouse.baseRpu * seconds * rpuHour) / 3600,
    });
  }
  const transitions = run.states + a.extraStateTransitionsPerRun;
  lines.push({
    item: 'Step Functions transitions',
    basis: `${transitions} × ${formatPrice(price('stepFunctions.stateTransition'))}`,
    usd: transitions * price('stepFunctions.stateTransition'),
  });
  // The run's task functions plus start-run's tick that started it.
  const invocations = run.lambdaTasks + 1;
  const gbSeconds = invocations * (inventory.lambdaMemoryMb / 1024) * a.lambdaSecondsPerInvocation;
  lines.push({
    item: 'Lambda',
    basis: `${invocations} invocations × ${inventory.lambdaMemoryMb} MB × ${a.lambdaSecondsPerInvocation} s`,
    usd: gbSeconds * price('lambda.gbSecondArm') + invocations * price('lambda.request'),
  });
  lines.push({
    item: 'DynamoDB requests',
    basis: `${a.dynamoWritesPerRun} writes + ${a.dynamoReadsPerRun} reads, on demand`,
    usd:
      a.dynamoWritesPerRun * price('dynamodb.writeRequestUnit') +
      a.dynamoReadsPerRun * price('dynamodb.readRequestUnit'),
  });
  return lines;
}
