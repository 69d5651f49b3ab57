import { createHash, createHmac } from 'node:crypto';
import { ConfigResourceTypes, ConfigSource, type Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  handleTopicEvent,
  parseBrokers,
  type TopicResourceEvent,
} from '../../lambda/kafka-topic/custom-resource';
import { ensureTopic, PartitionShrinkError } from '../../lambda/kafka-topic/ensure-topic';
import { KafkajsTopicAdmin } from '../../lambda/kafka-topic/kafkajs-admin';
import { createMskIamToken, credentialsFromEnvironment } from '../../lambda/kafka-topic/msk-iam-token';
import type { TopicAdmin, TopicDescription } from '../../lambda/kafka-topic/topic-admin';
import { InvalidTopicSpecError, parseTopicSpec, type TopicSpec } from '../../lambda/kafka-topic/topic-spec';

interface StoredTopic {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

/** An in-memory cluster that records every admin call. */
class InMemoryAdmin implements TopicAdmin {
  readonly topics = new Map<string, StoredTopic>();
  readonly calls: string[] = [];

  async describeTopic(topicName: string): Promise<TopicDescription | undefined> {
    this.calls.push(`describeTopic ${topicName}`);
    const topic = this.topics.get(topicName);
    return topic && { partitions: topic.partitions, replicationFactor: topic.replicationFactor };
  }

  async createTopic(topic: TopicSpec): Promise<void> {
    this.calls.push(`createTopic ${topic.topicName}`);
    if (this.topics.has(topic.topicName)) throw new Error('TOPIC_ALREADY_EXISTS');
    this.topics.set(topic.topicName, {
      partitions: topic.partitions,
      replicationFactor: topic.replicationFactor,
      configs: { ...topic.configs },
    });
  }

  async createPartitions(topicName: string, totalPartitions: number): Promise<void> {
    this.calls.push(`createPartitions ${topicName} ${totalPartitions}`);
    this.require(topicName).partitions = totalPartitions;
  }

  async describeTopicConfigs(topicName: string, configNames: string[]): Promise<Record<string, string>> {
    this.calls.push(`describeTopicConfigs ${topicName}`);
    const { configs } = this.require(topicName);
    return Object.fromEntries(configNames.filter((n) => n in configs).map((n) => [n, configs[n] ?? '']));
  }

  async alterTopicConfigs(topicName: string, configs: Readonly<Record<string, string>>): Promise<void> {
    this.calls.push(`alterTopicConfigs ${topicName}`);
    this.require(topicName).configs = { ...configs };
  }

  private require(topicName: string): StoredTopic {
    const topic = this.topics.get(topicName);
    if (!topic) throw new Error(`UNKNOWN_TOPIC_OR_PARTITION ${topicName}`);
    return topic;
  }
}

const SPEC: TopicSpec = {
  topicName: 'bank.transactions.v1',
  partitions: 6,
  replicationFactor: 3,
  configs: { 'min.insync.replicas': '2' },
};

function event(
  requestType: TopicResourceEvent['RequestType'],
  overrides: Record<string, unknown> = {},
): TopicResourceEvent {
  return {
    RequestType: requestType,
    PhysicalResourceId: requestType === 'Create' ? undefined : 'bank.transactions.v1',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider',
      TopicName: 'bank.transactions.v1',
      Partitions: '6',
      ReplicationFactor: '3',
      Configs: { 'min.insync.replicas': '2' },
      BootstrapBrokers: 'b-1.msk.example:9098,b-2.msk.example:9098',
      ...overrides,
    },
  };
}

describe('ensureTopic', () => {
  it('creates the topic with its partitions, replication factor and configs when it is missing', async () => {
    const admin = new InMemoryAdmin();
    const result = await ensureTopic(admin, SPEC);
    expect(result).toEqual({ action: 'created', partitions: 6 });
    expect(admin.topics.get('bank.transactions.v1')).toEqual({
      partitions: 6,
      replicationFactor: 3,
      configs: { 'min.insync.replicas': '2' },
    });
  });

  it('changes nothing when the topic already exists with the same partitions and configs', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, {
      partitions: 6,
      replicationFactor: 3,
      configs: { 'min.insync.replicas': '2' },
    });
    const result = await ensureTopic(admin, SPEC);
    expect(result.action).toBe('unchanged');
    expect(admin.calls.filter((c) => /^(create|alter)/.test(c))).toEqual([]);
  });

  it('adds partitions when more are requested', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, {
      partitions: 3,
      replicationFactor: 3,
      configs: { 'min.insync.replicas': '2' },
    });
    const result = await ensureTopic(admin, SPEC);
    expect(result.action).toBe('partitions-increased');
    expect(admin.topics.get(SPEC.topicName)?.partitions).toBe(6);
  });

  it('refuses to shrink the partition count, with a message that names the topic, both counts and the fix', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, {
      partitions: 12,
      replicationFactor: 3,
      configs: { 'min.insync.replicas': '2' },
    });
    const attempt = ensureTopic(admin, SPEC);
    await expect(attempt).rejects.toBeInstanceOf(PartitionShrinkError);
    await expect(attempt).rejects.toThrow(/bank\.transactions\.v1 has 12 partitions and 6 were requested/);
    await expect(attempt).rejects.toThrow(/streaming\.topicPartitions back to at least 12/);
    expect(admin.topics.get(SPEC.topicName)?.partitions).toBe(12);
  });

  it('aligns drifted topic configs', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, {
      partitions: 6,
      replicationFactor: 3,
      configs: { 'min.insync.replicas': '1' },
    });
    const result = await ensureTopic(admin, SPEC);
    expect(result.action).toBe('configs-updated');
    expect(admin.topics.get(SPEC.topicName)?.configs).toEqual({ 'min.insync.replicas': '2' });
  });

  it('warns, without failing, when the existing replication factor differs', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, {
      partitions: 6,
      replicationFactor: 2,
      configs: { 'min.insync.replicas': '2' },
    });
    const result = await ensureTopic(admin, SPEC);
    expect(result.warning).toMatch(/keeps replication factor 2 \(requested 3\)/);
  });
});

describe('handleTopicEvent', () => {
  it('creates the topic on Create and returns its name as the physical id', async () => {
    const admin = new InMemoryAdmin();
    const brokersSeen: string[][] = [];
    let closed = 0;
    const response = await handleTopicEvent(event('Create'), async (brokers) => {
      brokersSeen.push(brokers);
      return { admin, close: async () => void closed++ };
    });
    expect(response).toEqual({
      PhysicalResourceId: 'bank.transactions.v1',
      Data: { TopicName: 'bank.transactions.v1', Partitions: '6', Action: 'created' },
    });
    expect(brokersSeen).toEqual([['b-1.msk.example:9098', 'b-2.msk.example:9098']]);
    expect(closed).toBe(1);
  });

  it('leaves the topic and its data in place on Delete, without even connecting', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, { partitions: 6, replicationFactor: 3, configs: {} });
    let sessions = 0;
    const response = await handleTopicEvent(event('Delete'), async () => {
      sessions++;
      return { admin, close: async () => undefined };
    });
    expect(response.PhysicalResourceId).toBe('bank.transactions.v1');
    expect(sessions).toBe(0);
    expect(admin.topics.has(SPEC.topicName)).toBe(true);
  });

  it('closes the admin session when the update fails', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, { partitions: 12, replicationFactor: 3, configs: {} });
    let closed = 0;
    await expect(
      handleTopicEvent(event('Update'), async () => ({ admin, close: async () => void closed++ })),
    ).rejects.toThrow(PartitionShrinkError);
    expect(closed).toBe(1);
  });

  it('rejects a missing bootstrap broker string before connecting', async () => {
    await expect(
      handleTopicEvent(event('Create', { BootstrapBrokers: '' }), async () => {
        throw new Error('must not connect');
      }),
    ).rejects.toThrow(/BootstrapBrokers "" is not a comma-separated list of host:port/);
  });
});

describe('parseTopicSpec', () => {
  it('reads the string-typed CloudFormation properties', () => {
    expect(parseTopicSpec(event('Create').ResourceProperties)).toEqual(SPEC);
  });

  it.each([
    [{ TopicName: 'bad topic!' }, /TopicName "bad topic!" is not a valid Kafka topic name/],
    [{ Partitions: '0' }, /Partitions "0" is not a whole number of at least 1/],
    [{ ReplicationFactor: 'three' }, /ReplicationFactor "three" is not a whole number/],
    [
      { Configs: { 'min.insync.replicas': '4' } },
      /min\.insync\.replicas \(4\) exceeds ReplicationFactor \(3\)/,
    ],
    [{ Configs: ['x'] }, /Configs must be an object/],
  ])('rejects %j', (overrides, message) => {
    const properties = { ...event('Create').ResourceProperties, ...overrides };
    expect(() => parseTopicSpec(properties)).toThrow(InvalidTopicSpecError);
    expect(() => parseTopicSpec(properties)).toThrow(message);
  });
});

describe('parseBrokers', () => {
  it('splits and trims the bootstrap string', () => {
    expect(parseBrokers(' b-1.x:9098, b-2.x:9098 ')).toEqual(['b-1.x:9098', 'b-2.x:9098']);
  });

  it('rejects entries without a port', () => {
    expect(() => parseBrokers('b-1.x')).toThrow(/not a comma-separated list of host:port/);
  });
});

describe('createMskIamToken', () => {
  const credentials = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
    sessionToken: 'tok+/=',
  };
  const now = new Date('2024-05-01T12:00:00Z');

  async function decodedToken(): Promise<URL> {
    const token = await createMskIamToken('eu-central-1', credentials, now);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    return new URL(Buffer.from(token, 'base64url').toString('utf8'));
  }

  it('is a presigned kafka-cluster:Connect URL for the regional MSK endpoint, valid 15 minutes', async () => {
    const url = await decodedToken();
    expect(url.host).toBe('kafka.eu-central-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      'AKIDEXAMPLE/20240501/eu-central-1/kafka-cluster/aws4_request',
    );
    expect(url.searchParams.get('X-Amz-Date')).toBe('20240501T120000Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('tok+/=');
    expect(url.searchParams.get('User-Agent')).toMatch(/^bank-pipeline-kafka-topic\//);
  });

  it('carries a SigV4 signature that verifies against its own canonical request', async () => {
    const url = await decodedToken();
    const params = [...url.searchParams.entries()].filter(
      ([k]) => k !== 'X-Amz-Signature' && k !== 'User-Agent',
    );
    const rfc3986 = (s: string): string =>
      encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    const canonicalQuery = params
      .map(([k, v]) => ({ key: rfc3986(k), value: rfc3986(v) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map(({ key, value }) => `${key}=${value}`)
      .join('&');
    const canonicalRequest = [
      'GET',
      '/',
      canonicalQuery,
      'host:kafka.eu-central-1.amazonaws.com\n',
      'host',
      // An empty GET body, hashed (what AWS's MSK signer libraries for JavaScript sign too).
      createHash('sha256').update('').digest('hex'),
    ].join('\n');
    const scope = '20240501/eu-central-1/kafka-cluster/aws4_request';
    const stringToSign = [
      'AWS4-HMAC-SHA256',
      '20240501T120000Z',
      scope,
      createHash('sha256').update(canonicalRequest).digest('hex'),
    ].join('\n');
    const hmac = (key: string | Buffer, data: string): Buffer =>
      createHmac('sha256', key).update(data).digest();
    let signingKey = hmac(`AWS4${credentials.secretAccessKey}`, '20240501');
    for (const part of ['eu-central-1', 'kafka-cluster', 'aws4_request']) signingKey = hmac(signingKey, part);
    const expected = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expected);
  });

  it('names the missing variables when no credentials are in the environment', () => {
    expect(() => credentialsFromEnvironment({})).toThrow(
      /AWS_ACCESS_KEY_ID\/AWS_SECRET_ACCESS_KEY are not set/,
    );
  });
});

describe('KafkajsTopicAdmin', () => {
  function fakeKafkajsAdmin(calls: unknown[]): Admin {
    const fake: Partial<Admin> = {
      listTopics: async () => ['bank.transactions.v1'],
      fetchTopicMetadata: async () => ({
        topics: [
          {
            name: 'bank.transactions.v1',
            partitions: [0, 1, 2].map((p) => ({
              partitionId: p,
              leader: 1,
              replicas: [1, 2, 3],
              isr: [1, 2, 3],
              offlineReplicas: [],
              partitionErrorCode: 0,
            })),
          },
        ],
      }),
      createTopics: async (options) => {
        calls.push(options);
        return true;
      },
      describeConfigs: async () => ({
        throttleTime: 0,
        resources: [
          {
            errorCode: 0,
            errorMessage: '',
            resourceName: 'bank.transactions.v1',
            resourceType: ConfigResourceTypes.TOPIC,
            configEntries: [
              {
                configName: 'min.insync.replicas',
                configValue: '2',
                isDefault: false,
                configSource: ConfigSource.TOPIC_CONFIG,
                isSensitive: false,
                readOnly: false,
                configSynonyms: [],
              },
            ],
          },
        ],
      }),
    };
    return fake as Admin;
  }

  it('describes an existing topic from its metadata and a missing one as undefined', async () => {
    const admin = new KafkajsTopicAdmin(fakeKafkajsAdmin([]));
    await expect(admin.describeTopic('bank.transactions.v1')).resolves.toEqual({
      partitions: 3,
      replicationFactor: 3,
    });
    await expect(admin.describeTopic('other')).resolves.toBeUndefined();
  });

  it('creates topics with their config entries and waits for leaders', async () => {
    const calls: unknown[] = [];
    await new KafkajsTopicAdmin(fakeKafkajsAdmin(calls)).createTopic(SPEC);
    expect(calls).toEqual([
      {
        waitForLeaders: true,
        topics: [
          {
            topic: 'bank.transactions.v1',
            numPartitions: 6,
            replicationFactor: 3,
            configEntries: [{ name: 'min.insync.replicas', value: '2' }],
          },
        ],
      },
    ]);
  });

  it('reads topic configs by name', async () => {
    const admin = new KafkajsTopicAdmin(fakeKafkajsAdmin([]));
    await expect(
      admin.describeTopicConfigs('bank.transactions.v1', ['min.insync.replicas']),
    ).resolves.toEqual({
      'min.insync.replicas': '2',
    });
  });
});
