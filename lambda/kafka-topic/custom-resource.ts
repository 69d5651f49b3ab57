import { ensureTopic } from './ensure-topic';
import type { TopicAdmin } from './topic-admin';
import { parseTopicSpec } from './topic-spec';

/** The part of a CloudFormation custom-resource event the Provider framework hands to onEvent. */
export interface TopicResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
}

export interface TopicResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

/** Opens an admin session against the brokers; `close` is always called. */
export type TopicAdminSession = (
  bootstrapBrokers: string[],
) => Promise<{ admin: TopicAdmin; close(): Promise<void> }>;

/**
 * Create/Update make the topic match the properties; Delete leaves the topic
 * (and the transactions in it) in place: removing the stack, or renaming the
 * topic, must never delete data a consumer may not have read yet.
 */
export async function handleTopicEvent(
  event: TopicResourceEvent,
  openSession: TopicAdminSession,
  log: (message: string) => void = () => undefined,
): Promise<TopicResourceResponse> {
  if (event.RequestType === 'Delete') {
    log(`Delete of ${event.PhysicalResourceId ?? '(unknown)'}: topic left in place on purpose`);
    return { PhysicalResourceId: event.PhysicalResourceId ?? 'unknown-topic' };
  }
  const spec = parseTopicSpec(event.ResourceProperties);
  const brokers = parseBrokers(event.ResourceProperties.BootstrapBrokers);
  const session = await openSession(brokers);
  try {
    const result = await ensureTopic(session.admin, spec);
    log(`${event.RequestType} ${spec.topicName}: ${result.action}, ${result.partitions} partitions`);
    if (result.warning) log(`WARNING ${result.warning}`);
    return {
      PhysicalResourceId: spec.topicName,
      Data: {
        TopicName: spec.topicName,
        Partitions: String(result.partitions),
        Action: result.action,
        ...(result.warning ? { Warning: result.warning } : {}),
      },
    };
  } finally {
    await session.close();
  }
}

/** MSK's bootstrap string is comma-separated host:port pairs. */
export function parseBrokers(value: unknown): string[] {
  const brokers =
    typeof value === 'string'
      ? value
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean)
      : [];
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new Error(
      `BootstrapBrokers ${JSON.stringify(value)} is not a comma-separated list of host:port (the cluster's SASL/IAM bootstrap string)`,
    );
  }
  return brokers;
}
