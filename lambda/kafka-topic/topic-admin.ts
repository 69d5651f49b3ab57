/**
 * The few admin operations the topic logic needs. The Lambda implements it with
 * kafkajs against MSK; tests implement it in memory, so no broker is needed.
 */
export interface TopicAdmin {
  /** Partition count and replication factor of a topic, or undefined when it does not exist. */
  describeTopic(topicName: string): Promise<TopicDescription | undefined>;
  createTopic(topic: {
    topicName: string;
    partitions: number;
    replicationFactor: number;
    configs: Readonly<Record<string, string>>;
  }): Promise<void>;
  /** Raises the partition count to `totalPartitions`. */
  createPartitions(topicName: string, totalPartitions: number): Promise<void>;
  /** Current values of the given topic configs (missing names are left out). */
  describeTopicConfigs(topicName: string, configNames: string[]): Promise<Record<string, string>>;
  /** Sets the given topic configs. */
  alterTopicConfigs(topicName: string, configs: Readonly<Record<string, string>>): Promise<void>;
}

export interface TopicDescription {
  readonly partitions: number;
  readonly replicationFactor: number;
}
