/**
 * kafkajs messages turned into the event the MSK event source mapping gives the live-alerts Lambda,
 * so the twin hands lambda/live-alerts/live-alerts.ts the same shape it gets on AWS.
 *
 * Shape (Lambda's "Using Lambda with Amazon MSK" event example): records grouped under
 * `<topic>-<partition>`, each with topic, partition, offset, timestamp (epoch ms), timestampType, key
 * and value in base64, and headers as a list of `{ name: [bytes] }` objects.
 */
import type { KafkaBatch, KafkaRecord } from '../../lambda/live-alerts/live-alerts';

/** What the converter reads of a kafkajs message (its `KafkaMessage`). */
export interface ConsumedMessage {
  readonly offset: string;
  /** Epoch milliseconds, as a decimal string. */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/** One record as the MSK event carries it. */
export interface MskEventRecord extends KafkaRecord {
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME';
  readonly key: string | null;
  readonly headers: Record<string, number[]>[];
}

export interface MskEvent extends KafkaBatch {
  readonly eventSource: 'aws:kafka';
  readonly eventSourceArn: string;
  readonly bootstrapServers: string;
  readonly records: Readonly<Record<string, readonly MskEventRecord[]>>;
}

/** The event of one partition's messages (kafkajs hands them over per partition). */
export function mskEventOf(
  source: { readonly clusterArn: string; readonly bootstrapServers: string },
  topic: string,
  partition: number,
  messages: readonly ConsumedMessage[],
): MskEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: source.clusterArn,
    bootstrapServers: source.bootstrapServers,
    records: {
      [`${topic}-${partition}`]: messages.map((message) => ({
        topic,
        partition,
        offset: Number(message.offset),
        timestamp: Number(message.timestamp),
        timestampType: 'CREATE_TIME',
        key: message.key === null ? null : message.key.toString('base64'),
        value: message.value === null ? null : message.value.toString('base64'),
        headers: headersOf(message.headers),
      })),
    },
  };
}

function headersOf(headers: ConsumedMessage['headers']): Record<string, number[]>[] {
  const list: Record<string, number[]>[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      list.push({ [name]: [...(typeof one === 'string' ? Buffer.from(one, 'utf8') : one)] });
    }
  }
  return list;
}

/**
 * The newest Kafka timestamp among a batch's records of each card: an alert raised by a batch is
 * raised by the arrival of that card's records, so its latency counts from the newest of them. Only
 * `card_id` is read (lines that are not JSON or carry no card are left out: they raise nothing).
 */
export function newestTimestampByCard(messages: readonly ConsumedMessage[]): Map<string, number> {
  const newest = new Map<string, number>();
  for (const message of messages) {
    const timestamp = Number(message.timestamp);
    for (const line of (message.value?.toString('utf8') ?? '').split(/\r?\n/)) {
      const cardId = cardIdOf(line);
      if (cardId !== undefined && timestamp > (newest.get(cardId) ?? -Infinity))
        newest.set(cardId, timestamp);
    }
  }
  return newest;
}

function cardIdOf(line: string): string | undefined {
  if (line.trim() === '') return undefined;
  try {
    const document: unknown = JSON.parse(line);
    const cardId = (document as { card_id?: unknown } | null)?.card_id;
    return typeof cardId === 'string' ? cardId : undefined;
  } catch {
    return undefined;
  }
}
