/**
 * Produces each line as one Kafka record (key = account_id, so one account's transactions stay in
 * order on one partition; value = the line exactly as it would be written to a file).
 *
 * The producer is behind a small interface so tests can inject a fake; createKafkaJsProducer builds
 * the real kafkajs one. Connection problems become one clear error naming the broker(s).
 */
import { Kafka, logLevel } from 'kafkajs';
import { PROJECT_SLUG } from '../../lib/shared/pipeline-layout';
import type { OutputLine } from './line-mixer';
import type { LineSink } from './line-sink';

export interface KafkaMessage {
  key: string | null;
  value: string;
}

export interface KafkaProducerLike {
  connect(): Promise<void>;
  send(record: { topic: string; acks?: number; messages: KafkaMessage[] }): Promise<unknown>;
  disconnect(): Promise<void>;
}

export type KafkaProducerFactory = (brokers: readonly string[]) => KafkaProducerLike;

export const KAFKA_CLIENT_ID = `${PROJECT_SLUG}-generator`;

export const createKafkaJsProducer: KafkaProducerFactory = (brokers) => {
  const kafka = new Kafka({
    clientId: KAFKA_CLIENT_ID,
    brokers: [...brokers],
    connectionTimeout: 3000,
    requestTimeout: 15000,
    // Fail within seconds when nothing listens, instead of kafkajs' default minute of retries.
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING,
  });
  // Topics must exist before the pipeline's connectors start: never create one by producing to it.
  return kafka.producer({ allowAutoTopicCreation: false });
};

function causeChain(error: unknown): { names: string[]; messages: string[] } {
  const names: string[] = [];
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const e = current as {
      name?: unknown;
      message?: unknown;
      type?: unknown;
      originalError?: unknown;
      cause?: unknown;
    };
    if (typeof e.name === 'string') names.push(e.name);
    if (typeof e.type === 'string') names.push(e.type);
    if (typeof e.message === 'string') messages.push(e.message);
    current = e.originalError ?? e.cause;
  }
  return { names, messages };
}

/** Turns a kafkajs failure into an error that says which broker/topic and what to do. */
export function describeKafkaError(
  error: unknown,
  brokers: readonly string[],
  topic: string,
  during: string,
): Error {
  const { names, messages } = causeChain(error);
  const text = messages.join(' / ');
  const brokerList = brokers.join(',');
  if (names.includes('UNKNOWN_TOPIC_OR_PARTITION') || /does not host this topic-partition/i.test(text)) {
    return new Error(
      `Kafka topic "${topic}" does not exist on ${brokerList}. Create it first (the pipeline expects topics to ` +
        'exist before connectors start), or pass the right --topic.',
    );
  }
  const connectionProblem =
    names.some(
      (n) =>
        n === 'KafkaJSConnectionError' ||
        n === 'KafkaJSBrokerNotFound' ||
        n === 'KafkaJSConnectionClosedError',
    ) ||
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|Connection timeout|Connection error|Closed connection/i.test(
      text,
    );
  if (connectionProblem) {
    return new Error(
      `Cannot reach Kafka broker ${brokerList} while ${during} (${messages[messages.length - 1] ?? 'no detail'}). ` +
        'Check that the broker is running and listening on that host:port (in the local twin, start Kafka first), ' +
        'or pass the right address with --kafka-brokers host:port.',
    );
  }
  return new Error(
    `Kafka error while ${during} to topic "${topic}" on ${brokerList}: ${text || String(error)}`,
  );
}

export class KafkaSink implements LineSink {
  readonly description: string;
  private readonly producer: KafkaProducerLike;
  private connected = false;
  records = 0;

  constructor(
    factory: KafkaProducerFactory,
    private readonly brokers: readonly string[],
    private readonly topic: string,
  ) {
    this.description = `Kafka topic "${topic}" on ${brokers.join(',')}`;
    this.producer = factory(brokers);
  }

  async open(): Promise<void> {
    try {
      await this.producer.connect();
      this.connected = true;
    } catch (error) {
      throw describeKafkaError(error, this.brokers, this.topic, 'connecting');
    }
  }

  async write(lines: readonly OutputLine[]): Promise<void> {
    if (lines.length === 0) return;
    if (!this.connected) throw new Error('internal: KafkaSink.write before open()');
    const messages = lines.map((line) => ({ key: line.accountId, value: line.text }));
    try {
      // acks = -1: every in-sync replica has the record before the next batch goes.
      await this.producer.send({ topic: this.topic, acks: -1, messages });
    } catch (error) {
      throw describeKafkaError(error, this.brokers, this.topic, 'producing');
    }
    this.records += messages.length;
  }

  async close(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }

  async abort(): Promise<void> {
    try {
      await this.close();
    } catch {
      // Already failing: the original error is the one to report.
    }
  }
}
