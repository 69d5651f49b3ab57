import type { BootstrapBrokerLookup } from './bootstrap-brokers';
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

/** What the handler talks to; the Lambda passes the real MSK ones, tests in-memory ones. */
export interface TopicEventDependencies {
  readonly lookupBootstrapBrokers: BootstrapBrokerLookup;
  readonly openSession: TopicAdminSession;
  readonly log?: (message: string) => void;
}

/**
 * Create/Update look up the cluster's SASL/IAM bootstrap brokers, make the
 * topic match the properties and return the brokers as an attribute (the
 * connectors use it, which also orders them after the topic). Delete leaves the
 * topic (and the transactions in it) in place: removing the stack, or renaming
 * the topic, must never delete data a consumer may not have read yet.
 */
export async function handleTopicEvent(
  event: TopicResourceEvent,
  dependencies: TopicEventDependencies,
): Promise<TopicResourceResponse> {
  const log = dependencies.log ?? (() => undefined);
  if (event.RequestType === 'Delete') {
    log(`Delete of ${event.PhysicalResourceId ?? '(unknown)'}: topic left in place on purpose`);
    return { PhysicalResourceId: event.PhysicalResourceId ?? 'unknown-topic' };
  }
  const spec = parseTopicSpec(event.ResourceProperties);
  const clusterArn = event.ResourceProperties.ClusterArn;
  if (typeof clusterArn !== 'string' || !/^arn:[\w-]+:kafka:[\w-]+:\d{12}:cluster\/.+/.test(clusterArn)) {
    throw new Error(`ClusterArn ${JSON.stringify(clusterArn)} is not an MSK cluster ARN`);
  }
  const bootstrapBrokers = await dependencies.lookupBootstrapBrokers(clusterArn);
  const session = await dependencies.openSession(parseBrokers(bootstrapBrokers));
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
        BootstrapBrokers: bootstrapBrokers,
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
