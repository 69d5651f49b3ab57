/**
 * What the custom resource asks for, parsed and checked from the CloudFormation
 * resource properties (which arrive as strings, whatever the template said).
 */
export interface TopicSpec {
  readonly topicName: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level configs, e.g. { 'min.insync.replicas': '2' }. */
  readonly configs: Readonly<Record<string, string>>;
}

/** The Kafka topic name rules: 1-249 of letters, digits, '.', '_' and '-', not '.' or '..'. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class InvalidTopicSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTopicSpecError';
  }
}

/** Reads TopicName, Partitions, ReplicationFactor and Configs from the resource properties. */
export function parseTopicSpec(properties: Record<string, unknown>): TopicSpec {
  const topicName = properties.TopicName;
  if (
    typeof topicName !== 'string' ||
    !TOPIC_NAME.test(topicName) ||
    topicName === '.' ||
    topicName === '..'
  ) {
    throw new InvalidTopicSpecError(
      `TopicName ${JSON.stringify(topicName)} is not a valid Kafka topic name: use 1-249 letters, digits, '.', '_' or '-'`,
    );
  }
  const partitions = positiveInteger(properties.Partitions, 'Partitions');
  const replicationFactor = positiveInteger(properties.ReplicationFactor, 'ReplicationFactor');
  const configs = stringMap(properties.Configs ?? {}, 'Configs');
  const minInsync = configs['min.insync.replicas'];
  if (minInsync !== undefined && Number(minInsync) > replicationFactor) {
    throw new InvalidTopicSpecError(
      `Configs.min.insync.replicas (${minInsync}) exceeds ReplicationFactor (${replicationFactor}): producers with acks=all could never write`,
    );
  }
  return { topicName, partitions, replicationFactor, configs };
}

function positiveInteger(value: unknown, key: string): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < 1) {
    throw new InvalidTopicSpecError(`${key} ${JSON.stringify(value)} is not a whole number of at least 1`);
  }
  return parsed;
}

function stringMap(value: unknown, key: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTopicSpecError(
      `${key} must be an object of config name to value, got ${JSON.stringify(value)}`,
    );
  }
  const entries = Object.entries(value as Record<string, unknown>).map(([name, raw]) => {
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new InvalidTopicSpecError(
        `${key}.${name} must be a string, number or boolean, got ${JSON.stringify(raw)}`,
      );
    }
    return [name, String(raw)] as const;
  });
  return Object.fromEntries(entries);
}
