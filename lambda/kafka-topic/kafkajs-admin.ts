import { ConfigResourceTypes, Kafka, logLevel, type Admin } from 'kafkajs';
import { PROJECT_SLUG } from '../../lib/shared/pipeline-layout';
import type { TopicAdminSession } from './custom-resource';
import { createMskIamToken, credentialsFromEnvironment } from './msk-iam-token';
import type { TopicAdmin, TopicDescription } from './topic-admin';

/** Opens a kafkajs admin client on MSK's SASL/IAM TLS listener (port 9098). */
export function mskIamAdminSession(region: string): TopicAdminSession {
  return async (bootstrapBrokers) => {
    const kafka = new Kafka({
      clientId: `${PROJECT_SLUG}-kafka-topic`,
      brokers: bootstrapBrokers,
      ssl: true,
      sasl: {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({
          value: await createMskIamToken(region, credentialsFromEnvironment()),
        }),
      },
      connectionTimeout: 10_000,
      requestTimeout: 30_000,
      retry: { retries: 5, initialRetryTime: 500 },
      logLevel: logLevel.WARN,
    });
    const admin = kafka.admin();
    await admin.connect();
    return { admin: new KafkajsTopicAdmin(admin), close: () => admin.disconnect() };
  };
}

/** TopicAdmin over a connected kafkajs admin client. */
export class KafkajsTopicAdmin implements TopicAdmin {
  constructor(private readonly admin: Admin) {}

  async describeTopic(topicName: string): Promise<TopicDescription | undefined> {
    const names = await this.admin.listTopics();
    if (!names.includes(topicName)) return undefined;
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [topicName] });
    const partitions = topics[0]?.partitions ?? [];
    return { partitions: partitions.length, replicationFactor: partitions[0]?.replicas.length ?? 0 };
  }

  async createTopic(topic: {
    topicName: string;
    partitions: number;
    replicationFactor: number;
    configs: Readonly<Record<string, string>>;
  }): Promise<void> {
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: topic.topicName,
          numPartitions: topic.partitions,
          replicationFactor: topic.replicationFactor,
          configEntries: Object.entries(topic.configs).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  }

  async createPartitions(topicName: string, totalPartitions: number): Promise<void> {
    await this.admin.createPartitions({ topicPartitions: [{ topic: topicName, count: totalPartitions }] });
  }

  async describeTopicConfigs(topicName: string, configNames: string[]): Promise<Record<string, string>> {
    const response = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName, configNames }],
    });
    const entries = response.resources[0]?.configEntries ?? [];
    return Object.fromEntries(entries.map((e) => [e.configName, e.configValue]));
  }

  async alterTopicConfigs(topicName: string, configs: Readonly<Record<string, string>>): Promise<void> {
    // AlterConfigs (not the incremental variant) replaces the topic's whole
    // dynamic config, which is what we want: the declared configs are the full set.
    await this.admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topicName,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  }
}
