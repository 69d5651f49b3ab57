import type { StageConfig } from '../../config';
import { availabilityZoneKind } from '../../config/availability-zones';
import type { AvailabilityZone, PreflightAws } from '../aws-ports';
import type { AzSupport } from '../az-support';
import { describeError, fail, pass, unknown, type CheckResult } from '../check-result';

export const MSK_AZ_CHECK = 'MSK availability zones';
export const REDSHIFT_AZ_CHECK = 'Redshift Serverless availability zones';

export async function checkAvailabilityZones(
  aws: PreflightAws,
  config: StageConfig,
  support: AzSupport,
): Promise<CheckResult[]> {
  let regionZones: AvailabilityZone[];
  try {
    regionZones = await aws.availabilityZones();
  } catch (error) {
    const detail = `could not list the region's zones: ${describeError(error)}`;
    const fix = `aws ec2 describe-availability-zones --region ${aws.region} (needs ec2:DescribeAvailabilityZones)`;
    return [fail(MSK_AZ_CHECK, detail, fix), fail(REDSHIFT_AZ_CHECK, detail, fix)];
  }
  const resolved = resolveStageZones(config, regionZones);
  if ('problem' in resolved) {
    const fix = `set stages.${config.stage}.network.availabilityZones in cdk.json to zones of ${aws.region}: ${regionZones.map((z) => z.name).join(', ')}`;
    return [fail(MSK_AZ_CHECK, resolved.problem, fix), fail(REDSHIFT_AZ_CHECK, resolved.problem, fix)];
  }
  const results = [checkMsk(aws.region, config, resolved, regionZones, support)];
  if (config.warehouse.kind === 'serverless') {
    results.push(checkRedshiftServerless(aws.region, config, resolved.zones, regionZones, support));
  }
  return results;
}

function resolveStageZones(
  config: StageConfig,
  regionZones: readonly AvailabilityZone[],
): { zones: AvailabilityZone[]; origin: string } | { problem: string } {
  // Unset: the first `maxAzs` zones of the region, what `Fn::GetAZs` gives the VPC.
  const selection = config.network.availabilityZones;
  const count = config.network.maxAzs;
  if (!selection) {
    if (regionZones.length < count) {
      return {
        problem: `the region has ${regionZones.length} availability zones; network.maxAzs is ${count}`,
      };
    }
    return { zones: regionZones.slice(0, count), origin: `the first ${count} of the region` };
  }
  const zones: AvailabilityZone[] = [];
  for (const entry of selection) {
    const byId = availabilityZoneKind(entry) === 'id';
    const zone = regionZones.find((z) => (byId ? z.id === entry : z.name === entry));
    if (!zone)
      return { problem: `network.availabilityZones names ${entry}, which is not an available zone here` };
    zones.push(zone);
  }
  return { zones, origin: 'network.availabilityZones' };
}

function describe(zones: readonly AvailabilityZone[]): string {
  return zones.map((z) => `${z.name}=${z.id}`).join(', ');
}

/** Zone IDs, not names: an ID is the same physical zone in every account, as the service pages list them. */
function suggestion(config: StageConfig, candidates: readonly AvailabilityZone[]): string {
  const ids = candidates.slice(0, config.network.maxAzs).map((z) => `"${z.id}"`);
  return `set "availabilityZones": [${ids.join(', ')}] under stages.${config.stage}.network in cdk.json`;
}

function checkMsk(
  region: string,
  config: StageConfig,
  { zones, origin }: { zones: readonly AvailabilityZone[]; origin: string },
  regionZones: readonly AvailabilityZone[],
  support: AzSupport,
): CheckResult {
  const exactCount = support.msk.exactAzCount[region];
  if (exactCount !== undefined && zones.length !== exactCount) {
    return fail(
      MSK_AZ_CHECK,
      `MSK takes exactly ${exactCount} subnets in ${region}; the stage spreads over ${zones.length} AZs (${support.msk.source}, read ${support.checked})`,
      `deploy to another region, or set network.maxAzs to ${exactCount}, streaming.brokerCount to a multiple of it and warehouse.kind to 'provisioned' (Redshift Serverless needs 3)`,
    );
  }
  const unsupported = new Set(support.msk.unsupportedAzIds[region] ?? []);
  const bad = zones.filter((z) => unsupported.has(z.id));
  if (bad.length > 0) {
    const others = regionZones.filter((z) => !unsupported.has(z.id));
    return fail(
      MSK_AZ_CHECK,
      `MSK brokers cannot use ${describe(bad)} (${support.msk.source}, read ${support.checked})`,
      suggestion(config, others),
    );
  }
  return pass(MSK_AZ_CHECK, `${describe(zones)} (${origin})`);
}

function checkRedshiftServerless(
  region: string,
  config: StageConfig,
  zones: readonly AvailabilityZone[],
  regionZones: readonly AvailabilityZone[],
  support: AzSupport,
): CheckResult {
  const listed = support.redshiftServerless.supportedAzIds[region];
  if (!listed) {
    return unknown(
      REDSHIFT_AZ_CHECK,
      `no supported-AZ-ID list for ${region} recorded in lib/preflight/az-support.json; the stage uses ${describe(zones)}`,
      'AWS publishes no per-region list (' +
        `${support.redshiftServerless.source}): the Redshift Serverless console shows the supported AZ IDs ` +
        "under Additional considerations when you create a workgroup; compare them with the stage's AZ IDs above",
    );
  }
  const supported = new Set(listed);
  const bad = zones.filter((z) => !supported.has(z.id));
  if (bad.length > 0) {
    return fail(
      REDSHIFT_AZ_CHECK,
      `Redshift Serverless does not support ${describe(bad)} (${support.redshiftServerless.source}, read ${support.checked})`,
      suggestion(
        config,
        regionZones.filter((z) => supported.has(z.id)),
      ),
    );
  }
  return pass(REDSHIFT_AZ_CHECK, describe(zones));
}
