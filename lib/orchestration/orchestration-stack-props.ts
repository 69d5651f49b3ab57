import type * as sns from 'aws-cdk-lib/aws-sns';
import type { RunTimeouts } from './orchestration-run-state-machine';
import type { AnalyticsRunTargets } from '../analytics/analytics-stack';
import type { EmrRunSettings } from '../processing/emr-run-settings';
import type { DataServiceStackProps } from '../shared/shared-stack-props';
import type { WarehouseConnection } from '../warehouse/warehouse-stack';

/** Props of OrchestrationStack: the run state machine, its trigger and its task functions. */
export interface OrchestrationStackProps extends DataServiceStackProps {
  /** Topic run failures are published to (FoundationStack). */
  readonly alertsTopic: sns.ITopic;
  /** Settings of the per-run EMR cluster and the ATM step (ProcessingStack). */
  readonly emr: EmrRunSettings;
  /** Crawler and load job the run starts (AnalyticsStack). */
  readonly analytics: AnalyticsRunTargets;
  /** Where the reporting views are refreshed (WarehouseStack). */
  readonly warehouse: WarehouseConnection;
  /**
   * Materialized views refreshed after each load, `schema.name`, in dependency order.
   * @default every `CREATE MATERIALIZED VIEW` in `warehouseSqlDir`, in file order
   */
  readonly reportViews?: string[];
  /**
   * Folder of the warehouse SQL files the report views are read from, absolute or relative to the repo root.
   * @default 'sql/redshift'
   */
  readonly warehouseSqlDir?: string;
  /**
   * Closed hours start-run examines on each tick (how far back a missed hour is still picked up).
   * @default 24
   */
  readonly lookbackHours?: number;
  /**
   * Minutes after the end of an hour before it is processed (time for the S3 sink to flush).
   * @default 10
   */
  readonly closeDelayMinutes?: number;
  /**
   * Per-state and execution timeouts of a run.
   * @default DEFAULT_RUN_TIMEOUTS (cluster 45 min, ATM step 4 h, load job 4 h, execution 12 h)
   */
  readonly runTimeouts?: Partial<RunTimeouts>;
}
