import type { App, Environment } from 'aws-cdk-lib';
import { stageResourcePrefix } from './shared/pipeline-layout';
import type { StageConfig } from './config';
import { AlertsStack } from './alerts/alerts-stack';
import { AnalyticsStack } from './analytics/analytics-stack';
import { FoundationStack } from './shared/foundation-stack';
import { MonitoringStack } from './monitoring/monitoring-stack';
import { NetworkStack } from './network/network-stack';
import { OrchestrationStack } from './orchestration/orchestration-stack';
import { ProcessingStack } from './processing/processing-stack';
import { StorageStack } from './storage/storage-stack';
import { StreamingStack } from './streaming/streaming-stack';
import { WarehouseStack } from './warehouse/warehouse-stack';

/** Every stack of one stage, for tests and for the monitoring wiring. */
export interface PipelineStacks {
  readonly foundation: FoundationStack;
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly streaming: StreamingStack;
  /** The live fraud-alert consumer; absent when `liveAlerts.enabled` is false. */
  readonly alerts?: AlertsStack;
  readonly processing: ProcessingStack;
  readonly warehouse: WarehouseStack;
  readonly analytics: AnalyticsStack;
  readonly orchestration: OrchestrationStack;
  readonly monitoring: MonitoringStack;
}

/** Folder of the built MSK Connect plugin zips, relative to the working directory (the repository root). */
export const DEFAULT_PLUGIN_DIST_DIR = 'connectors/dist';

export interface PipelineAppOptions {
  /** Account/region to deploy to; left unresolved (environment-agnostic) when undefined. */
  readonly env?: Environment;
  /**
   * Path of the built MSK Connect plugin zips (see connectors/README.md).
   * @default DEFAULT_PLUGIN_DIST_DIR ('connectors/dist')
   */
  readonly pluginDistDir?: string;
}

/** The stacks every other one builds on: the foundation, network, storage and streaming stacks. */
export interface CorePipelineStacks {
  readonly foundation: FoundationStack;
  readonly network: NetworkStack;
  readonly storage: StorageStack;
  readonly streaming: StreamingStack;
}

/**
 * Builds the core stacks of one stage, wired as the whole pipeline has them; tests
 * of these stacks build them alone.
 */
export function buildCorePipelineStacks(
  app: App,
  config: StageConfig,
  { env, pluginDistDir = DEFAULT_PLUGIN_DIST_DIR }: PipelineAppOptions = {},
): CorePipelineStacks {
  const prefix = stageResourcePrefix(config.stage);
  const common = { config, env, terminationProtection: config.stage === 'prod' };
  const foundation = new FoundationStack(app, `${prefix}-foundation`, common);
  const network = new NetworkStack(app, `${prefix}-network`, { ...common, dataKey: foundation.dataKey });
  const storage = new StorageStack(app, `${prefix}-storage`, { ...common, dataKey: foundation.dataKey });
  const streaming = new StreamingStack(app, `${prefix}-streaming`, {
    ...common,
    dataKey: foundation.dataKey,
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    buckets: storage.buckets,
    pluginDistDir,
  });
  return { foundation, network, storage, streaming };
}

/**
 * Builds all stacks of one stage. Stack names are `<stage>-<slug>-<part>` (e.g. `dev-bankpipe-storage`)
 * so two stages can live in one account.
 */
export function buildPipeline(
  app: App,
  config: StageConfig,
  options: PipelineAppOptions = {},
): PipelineStacks {
  const prefix = stageResourcePrefix(config.stage);
  const common = { config, env: options.env, terminationProtection: config.stage === 'prod' };

  const { foundation, network, storage, streaming } = buildCorePipelineStacks(app, config, options);
  const alerts = config.liveAlerts.enabled
    ? new AlertsStack(app, `${prefix}-alerts`, {
        ...common,
        dataKey: foundation.dataKey,
        vpc: network.vpc,
        securityGroups: network.securityGroups,
        buckets: storage.buckets,
        cluster: streaming.cluster,
      })
    : undefined;
  const processing = new ProcessingStack(app, `${prefix}-processing`, {
    ...common,
    dataKey: foundation.dataKey,
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    buckets: storage.buckets,
  });
  const warehouse = new WarehouseStack(app, `${prefix}-warehouse`, {
    ...common,
    dataKey: foundation.dataKey,
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    buckets: storage.buckets,
  });
  const analytics = new AnalyticsStack(app, `${prefix}-analytics`, {
    ...common,
    dataKey: foundation.dataKey,
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    buckets: storage.buckets,
    warehouse: warehouse.connection,
  });
  const orchestration = new OrchestrationStack(app, `${prefix}-orchestration`, {
    ...common,
    dataKey: foundation.dataKey,
    alertsTopic: foundation.alertsTopic,
    vpc: network.vpc,
    securityGroups: network.securityGroups,
    buckets: storage.buckets,
    emr: processing.emrRunSettings,
    analytics: analytics.runTargets,
    warehouse: warehouse.connection,
  });
  const monitoring = new MonitoringStack(app, `${prefix}-monitoring`, {
    ...common,
    dataKey: foundation.dataKey,
    alertsTopic: foundation.alertsTopic,
    watched: {
      streaming: streaming.monitoringTargets,
      processing: processing.monitoringTargets,
      analytics: analytics.monitoringTargets,
      warehouse: warehouse.monitoringTargets,
      orchestration: orchestration.monitoringTargets,
      alerts: alerts?.monitoringTargets,
    },
  });

  return {
    foundation,
    network,
    storage,
    streaming,
    alerts,
    processing,
    warehouse,
    analytics,
    orchestration,
    monitoring,
  };
}
