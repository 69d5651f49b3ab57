import { Fn, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import { availabilityZoneKind, type NetworkConfig } from '../config';

/**
 * Where the VPC's subnets go, from `network.availabilityZones`:
 *
 * - unset: the first `maxAzs` zones CloudFormation lists (`Fn::Select(i, Fn::GetAZs)`),
 *   so the stack needs no context lookup and the template names no region;
 * - zone names: the names, as the L2 Vpc takes them;
 * - zone IDs: the L2 Vpc only knows zone names, so it is given a placeholder
 *   name per zone and every subnet is then placed by `AvailabilityZoneId`
 *   (`placeSubnets`). The placeholder resolves to `Fn::GetAtt <subnet>.AvailabilityZone`
 *   of one subnet in that zone (a service subnet): anything that needs a zone name (a Glue
 *   connection, for one) reads the name AWS assigned to that ID in this account.
 */
export class NetworkZones {
  /** The zones the Vpc builds in, in order: one subnet of every group per entry. */
  readonly zones: string[];
  private readonly zoneIds: readonly string[] | undefined;
  private readonly zoneNames: boolean;
  private zoneNameSources: ec2.ISubnet[] = [];

  constructor(network: NetworkConfig) {
    const configured = network.availabilityZones;
    this.zoneNames =
      configured !== undefined && configured.every((zone) => availabilityZoneKind(zone) === 'name');
    if (configured === undefined) {
      this.zones = Array.from({ length: network.maxAzs }, (_, index) => Fn.select(index, Fn.getAzs()));
    } else if (configured.every((zone) => availabilityZoneKind(zone) === 'id')) {
      this.zoneIds = configured;
      this.zones = configured.map((zoneId, index) =>
        Lazy.string({ produce: () => this.zoneNameOf(index, zoneId) }),
      );
    } else {
      this.zones = [...configured];
    }
  }

  /**
   * With zone IDs, moves every subnet of the VPC from its placeholder zone name
   * to `AvailabilityZoneId` (an L1 override: `AvailabilityZone` and
   * `AvailabilityZoneId` are mutually exclusive on `AWS::EC2::Subnet`).
   * With zone names, records why the subnets name literal zones (the
   * CloudFormation rule W3010 asks for none); unset, does nothing.
   *
   * @param zoneNameSources one subnet per zone, in zone order, whose
   *   `AvailabilityZone` attribute stands for the zone's name: a subnet group
   *   every stage has (one that NAT settings do not add or remove), so the
   *   name's source stays put.
   */
  placeSubnets(vpc: ec2.Vpc, zoneNameSources: ec2.ISubnet[]): void {
    if (this.zoneNames) {
      // CDK's own Stack.availabilityZones acknowledges this rule when it hands out literal zones; this stack does the same.
      Validations.of(Stack.of(vpc)).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason:
          'Zone names are literal because the stage lists them (network.availabilityZones), chosen for the zones MSK and Redshift Serverless support',
      });
    }
    const zoneIds = this.zoneIds;
    if (zoneIds === undefined) return;
    if (zoneNameSources.length !== this.zones.length) {
      throw new Error(
        `expected one zone-name subnet per zone (${this.zones.length}), got ${zoneNameSources.length}`,
      );
    }
    this.zoneNameSources = zoneNameSources;
    const subnets = [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets];
    for (const subnet of subnets) {
      const index = this.zones.indexOf(subnet.availabilityZone);
      const cfnSubnet = subnet.node.defaultChild as ec2.CfnSubnet;
      cfnSubnet.addPropertyDeletionOverride('AvailabilityZone');
      cfnSubnet.addPropertyOverride('AvailabilityZoneId', zoneIds[index]);
    }
  }

  private zoneNameOf(index: number, zoneId: string): string {
    const subnet = this.zoneNameSources[index];
    if (subnet === undefined) {
      throw new Error(
        `zone ${zoneId} has no subnet yet: call placeSubnets(vpc) right after creating the Vpc`,
      );
    }
    return (subnet.node.defaultChild as ec2.CfnSubnet).attrAvailabilityZone;
  }
}
