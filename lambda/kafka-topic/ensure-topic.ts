import type { TopicAdmin } from './topic-admin';
import type { TopicSpec } from './topic-spec';

/** What ensureTopic did, returned to CloudFormation as the resource's attributes. */
export interface EnsureTopicResult {
  readonly action: 'created' | 'partitions-increased' | 'configs-updated' | 'unchanged';
  readonly partitions: number;
  /** Set when the existing topic's replication factor differs from the requested one (Kafka cannot change it in place). */
  readonly warning?: string;
}

export class PartitionShrinkError extends Error {
  constructor(topicName: string, existing: number, requested: number) {
    super(
      `Topic ${topicName} has ${existing} partitions and ${requested} were requested: Kafka cannot remove partitions ` +
        `(it would break key ordering and lose data). Set streaming.topicPartitions back to at least ${existing}, ` +
        'or create a new topic under a new streaming.topicName and move the connectors to it.',
    );
    this.name = 'PartitionShrinkError';
  }
}

/**
 * Makes the topic match the spec without ever losing data: creates it when
 * missing, adds partitions when more are asked for, aligns the declared topic
 * configs, and refuses to shrink.
 */
export async function ensureTopic(admin: TopicAdmin, spec: TopicSpec): Promise<EnsureTopicResult> {
  const existing = await admin.describeTopic(spec.topicName);
  if (!existing) {
    await admin.createTopic(spec);
    return { action: 'created', partitions: spec.partitions };
  }
  if (spec.partitions < existing.partitions) {
    throw new PartitionShrinkError(spec.topicName, existing.partitions, spec.partitions);
  }

  let action: EnsureTopicResult['action'] = 'unchanged';
  if (spec.partitions > existing.partitions) {
    await admin.createPartitions(spec.topicName, spec.partitions);
    action = 'partitions-increased';
  }
  const configNames = Object.keys(spec.configs);
  if (configNames.length > 0) {
    const current = await admin.describeTopicConfigs(spec.topicName, configNames);
    if (configNames.some((name) => current[name] !== spec.configs[name])) {
      await admin.alterTopicConfigs(spec.topicName, spec.configs);
      if (action === 'unchanged') action = 'configs-updated';
    }
  }
  const warning =
    existing.replicationFactor === spec.replicationFactor
      ? undefined
      : `Topic ${spec.topicName} keeps replication factor ${existing.replicationFactor} (requested ${spec.replicationFactor}): ` +
        'changing it needs a partition reassignment (kafka-reassign-partitions), which this resource does not do';
  return { action, partitions: spec.partitions, warning };
}
