import { Fn, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { availabilityZoneKind, type NetworkConfig } from '../config';

/** The subnet property that places a subnet, by how the stage lists its zones. */
const PLACEMENT_PROPERTY = { id: 'AvailabilityZoneId', name: 'AvailabilityZone' } as const;

/**
 * Where the VPC's subnets go, from `network.availabilityZones`:
 *
 * - unset: the first `maxAzs` zones CloudFormation lists (`Fn::Select(i, Fn::GetAZs)`),
 *   so the stack needs no context lookup and the template names no region;
 * - zone IDs or zone names: the L2 Vpc is given a placeholder per zone and
 *   every subnet is then placed by the configured zone (`placeSubnets`), with
 *   `AvailabilityZoneId` for IDs (the L2 Vpc only knows names) or
 *   `AvailabilityZone` for names. The placeholder resolves to `Fn::GetAtt
 *   <subnet>.AvailabilityZone` of a service subnet in that zone: anything
 *   outside the subnets that needs a zone name (a Glue connection, for one)
 *   reads the name AWS gave the subnet, so only the subnets carry the
 *   configured zones.
 */
export class NetworkZones {
  /** The zones the Vpc builds in, in order: one subnet of every group per entry. */
  readonly zones: string[];
  private readonly configured: readonly string[] | undefined;
  private zoneNameSources: ec2.ISubnet[] = [];

  constructor(network: NetworkConfig) {
    this.configured = network.availabilityZones;
    this.zones =
      this.configured === undefined
        ? Array.from({ length: network.maxAzs }, (_, index) => Fn.select(index, Fn.getAzs()))
        : this.configured.map((zone, index) => Lazy.string({ produce: () => this.zoneNameOf(index, zone) }));
  }

  /**
   * Places every subnet of the VPC in its configured zone: an L1 override of
   * the placeholder (`AvailabilityZone` and `AvailabilityZoneId` are mutually
   * exclusive on `AWS::EC2::Subnet`, so the other one is removed). Does
   * nothing when the stage leaves its zones unset.
   *
   * @param zoneNameSources one subnet per zone, in zone order, whose
   *   `AvailabilityZone` attribute stands for the zone's name: a subnet group
   *   every stage has (one that NAT settings do not add or remove), so the
   *   name's source stays put.
   */
  placeSubnets(vpc: ec2.Vpc, zoneNameSources: ec2.ISubnet[]): void {
    const configured = this.configured;
    if (configured === undefined) return;
    if (zoneNameSources.length !== this.zones.length) {
      throw new Error(
        `expected one zone-name subnet per zone (${this.zones.length}), got ${zoneNameSources.length}`,
      );
    }
    this.zoneNameSources = zoneNameSources;
    const kind = availabilityZoneKind(configured[0] ?? '') ?? 'name';
    const placedBy = PLACEMENT_PROPERTY[kind];
    const other = kind === 'id' ? PLACEMENT_PROPERTY.name : PLACEMENT_PROPERTY.id;
    for (const subnet of [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets]) {
      const index = this.zones.indexOf(subnet.availabilityZone);
      const cfnSubnet = subnet.node.defaultChild as ec2.CfnSubnet;
      cfnSubnet.addPropertyDeletionOverride(other);
      cfnSubnet.addPropertyOverride(placedBy, configured[index]);
    }
    if (kind === 'name') {
      // CDK's own Stack.availabilityZones acknowledges this rule when it hands out literal zones; so does this.
      Validations.of(Stack.of(vpc)).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason:
          'The subnets name literal zones because the stage lists them (network.availabilityZones), chosen for the zones MSK and Redshift Serverless support',
      });
    }
  }

  private zoneNameOf(index: number, zone: string): string {
    const subnet = this.zoneNameSources[index];
    if (subnet === undefined) {
      throw new Error(`zone ${zone} has no subnet yet: call placeSubnets(vpc) right after creating the Vpc`);
    }
    return (subnet.node.defaultChild as ec2.CfnSubnet).attrAvailabilityZone;
  }
}
