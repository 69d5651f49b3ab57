import type { WarehouseKind } from '../config';

/** What the dashboard and alarms watch in the warehouse. */
export interface WarehouseMonitoringTargets {
  readonly kind: WarehouseKind;
  readonly workgroupName?: string;
  readonly clusterIdentifier?: string;
}
