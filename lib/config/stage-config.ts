import type { Setting } from './setting';
import type { StageSettingsSchema } from './stage-settings';

/** The value type of one schema entry. */
type ValueOf<Entry> = Entry extends Setting<infer T> ? T : never;

/** The keys of a section a stage may leave unset. */
type OptionalKeys<Section> = {
  [Key in keyof Section]: Section[Key] extends { readonly optional: true } ? Key : never;
}[keyof Section];

/** One section's values: required keys as their type, optional keys as optional properties. */
type SectionValues<Section> = {
  readonly [Key in keyof Section as Key extends OptionalKeys<Section> ? never : Key]: ValueOf<Section[Key]>;
} & {
  readonly [Key in OptionalKeys<Section>]?: ValueOf<Section[Key]>;
};

/**
 * Every stage setting, section by section, typed from the schema in
 * stage-settings.ts (which holds each key's default, rule and meaning).
 */
export type StageSettings = {
  readonly [Section in keyof StageSettingsSchema]: SectionValues<StageSettingsSchema[Section]>;
};

/**
 * The typed configuration of one deployment stage (dev, prod, ...).
 *
 * Values come from `cdk.json` context (`stages.<name>`), merged over the
 * schema's defaults, then checked against the schema's rules. Nothing
 * account-specific (ids, secrets, hostnames) lives here: the account and region
 * come from the CLI environment, secrets from Secrets Manager.
 */
export type StageConfig = StageSettings & {
  /** Stage name, used as a prefix for stack and resource names. */
  readonly stage: string;
  /**
   * Allow `cdk destroy` to delete data-bearing resources (buckets, keys, log groups).
   * Only from the context flag `-c allowDestroy=true`, never from the stage file.
   * @default false (everything that holds data is RETAINed)
   */
  readonly allowDestroy: boolean;
};

export type NetworkConfig = StageConfig['network'];
export type StorageConfig = StageConfig['storage'];
export type StreamingConfig = StageConfig['streaming'];
export type ProcessingConfig = StageConfig['processing'];
export type AnalyticsConfig = StageConfig['analytics'];
export type WarehouseConfig = StageConfig['warehouse'];
export type OrchestrationConfig = StageConfig['orchestration'];
export type MonitoringConfig = StageConfig['monitoring'];
/** The live fraud-alert consumer: a Lambda reading the transactions topic through an MSK event source mapping. */
export type LiveAlertsConfig = StageConfig['liveAlerts'];
export type WarehouseKind = WarehouseConfig['kind'];
