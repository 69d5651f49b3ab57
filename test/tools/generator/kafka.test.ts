/**
 * The Kafka writer with an injected producer (no broker needed): one record per line, key =
 * account_id, value = the same bytes as the file line; clear errors when the broker is unreachable
 * or the topic is missing. One test uses the real kafkajs client against a port nobody listens on.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  createKafkaJsProducer,
  describeKafkaError,
  KafkaSink,
  type KafkaMessage,
  type KafkaProducerLike,
} from '../../../tools/generator/kafka-writer';
import { generate } from './helpers';

class FakeProducer implements KafkaProducerLike {
  sent: { topic: string; acks?: number; messages: KafkaMessage[] }[] = [];
  connected = false;
  disconnected = false;

  constructor(private readonly failConnect?: Error) {}

  async connect(): Promise<void> {
    if (this.failConnect) throw this.failConnect;
    this.connected = true;
  }

  async send(record: { topic: string; acks?: number; messages: KafkaMessage[] }): Promise<unknown> {
    this.sent.push(record);
    return [];
  }

  async disconnect(): Promise<void> {
    this.disconnected = true;
  }
}

/** A port on 127.0.0.1 that was free a moment ago (nothing listens on it). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Kafka writer', () => {
  it('produces one record per line, keyed by account_id, with the same bytes as the files', async () => {
    const producer = new FakeProducer();
    const run = await generate(
      [
        '--seed',
        '4',
        '--count',
        '3000',
        '--bad-ratio',
        '0.05',
        '--duplicate-ratio',
        '0.02',
        '--kafka-brokers',
        '127.0.0.1:9092',
        '--topic',
        'transactions',
      ],
      { kafkaProducerFactory: () => producer },
    );
    const messages = producer.sent.flatMap((r) => r.messages);
    expect(producer.sent.every((r) => r.topic === 'transactions' && r.acks === -1)).toBe(true);
    expect(messages.map((m) => m.value)).toEqual(run.lines);
    let keyed = 0;
    for (const message of messages) {
      let parsed: { account_id?: unknown } | null = null;
      try {
        parsed = JSON.parse(message.value);
      } catch {
        // malformed bad lines: the key still says whose line it was
      }
      if (
        parsed &&
        typeof parsed === 'object' &&
        typeof parsed.account_id === 'string' &&
        parsed.account_id !== ''
      ) {
        expect(message.key).toBe(parsed.account_id);
        keyed += 1;
      }
    }
    expect(keyed).toBeGreaterThan(2800);
    expect(producer.disconnected).toBe(true);
  });

  it('fails before writing anything when the broker cannot be reached, naming the broker', async () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
      name: 'KafkaJSConnectionError',
    });
    const retries = Object.assign(new Error(refused.message), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      originalError: refused,
    });
    const producer = new FakeProducer(retries);
    const sink = new KafkaSink(() => producer, ['127.0.0.1:9092'], 'transactions');
    await expect(sink.open()).rejects.toThrow(
      /Cannot reach Kafka broker 127\.0\.0\.1:9092 .*ECONNREFUSED.*--kafka-brokers host:port/,
    );
  });

  it('explains a missing topic', () => {
    const error = Object.assign(new Error('This server does not host this topic-partition'), {
      name: 'KafkaJSProtocolError',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    expect(describeKafkaError(error, ['b1:9092', 'b2:9092'], 'txns', 'producing').message).toMatch(
      /topic "txns" does not exist on b1:9092,b2:9092\. Create it first/,
    );
  });

  it('with the real kafkajs client: an unreachable broker gives the clear error within seconds', async () => {
    const port = await closedPort();
    const sink = new KafkaSink(createKafkaJsProducer, [`127.0.0.1:${port}`], 'transactions');
    const started = Date.now();
    await expect(sink.open()).rejects.toThrow(
      new RegExp(`Cannot reach Kafka broker 127\\.0\\.0\\.1:${port}`),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
