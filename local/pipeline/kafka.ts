import { Kafka, logLevel } from 'kafkajs';

/** The topic the deployed SFTP source writes to, read from Connect (the rendered config is the truth). */
export async function sourceTopic(connectUrl: string): Promise<string> {
  const response = await fetch(`${connectUrl}/connectors?expand=info`);
  if (!response.ok) throw new Error(`GET ${connectUrl}/connectors answered ${response.status}`);
  const connectors = (await response.json()) as Record<
    string,
    { info: { type: string; config: Record<string, string> } }
  >;
  const topics = Object.values(connectors)
    .filter((c) => c.info.type === 'source' && c.info.config.topic)
    .map((c) => c.info.config.topic);
  if (topics.length !== 1) {
    throw new Error(
      `expected one source connector with a topic on ${connectUrl}, found ${topics.length}; deploy them with local/twin.py connectors`,
    );
  }
  return topics[0];
}

/** Records ever written to the topic: the sum over partitions of the high-water offsets. */
export async function topicRecordCount(bootstrap: string, topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'bankpipe-demo', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** How many partitions the topic has. */
export async function topicPartitionCount(bootstrap: string, topic: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'bankpipe-demo', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).length;
  } finally {
    await admin.disconnect();
  }
}
