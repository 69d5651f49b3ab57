import { createHash, createHmac } from 'node:crypto';
import { ConfigResourceTypes, ConfigSource, type Admin } from 'kafkajs';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mskBootstrapBrokerLookup } from '../../lambda/kafka-topic/bootstrap-brokers';
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

const CLUSTER_ARN =
  'arn:aws:kafka:eu-central-1:111111111111:cluster/dev-bankpipe/6b7c1f3e-1111-2222-3333-444455556666-2';
const BROKERS = 'b-1.msk.example:9098,b-2.msk.example:9098';

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
      ClusterArn: CLUSTER_ARN,
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
  function dependencies(admin: TopicAdmin, counters = { sessions: 0, closed: 0, lookups: [] as string[] }) {
    return {
      counters,
      deps: {
        lookupBootstrapBrokers: async (arn: string) => {
          counters.lookups.push(arn);
          return BROKERS;
        },
        openSession: async (brokers: string[]) => {
          counters.sessions++;
          expect(brokers).toEqual(['b-1.msk.example:9098', 'b-2.msk.example:9098']);
          return { admin, close: async () => void counters.closed++ };
        },
      },
    };
  }

  it('creates the topic on Create and returns its name as the physical id and the brokers as an attribute', async () => {
    const admin = new InMemoryAdmin();
    const { deps, counters } = dependencies(admin);
    const response = await handleTopicEvent(event('Create'), deps);
    expect(response).toEqual({
      PhysicalResourceId: 'bank.transactions.v1',
      Data: {
        TopicName: 'bank.transactions.v1',
        Partitions: '6',
        Action: 'created',
        BootstrapBrokers: BROKERS,
      },
    });
    expect(counters.lookups).toEqual([CLUSTER_ARN]);
    expect(counters.closed).toBe(1);
    expect(admin.topics.has('bank.transactions.v1')).toBe(true);
  });

  it('leaves the topic and its data in place on Delete, without even connecting', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, { partitions: 6, replicationFactor: 3, configs: {} });
    const { deps, counters } = dependencies(admin);
    const response = await handleTopicEvent(event('Delete'), deps);
    expect(response.PhysicalResourceId).toBe('bank.transactions.v1');
    expect(counters.sessions).toBe(0);
    expect(counters.lookups).toEqual([]);
    expect(admin.topics.has(SPEC.topicName)).toBe(true);
  });

  it('closes the admin session when the update fails', async () => {
    const admin = new InMemoryAdmin();
    admin.topics.set(SPEC.topicName, { partitions: 12, replicationFactor: 3, configs: {} });
    const { deps, counters } = dependencies(admin);
    await expect(handleTopicEvent(event('Update'), deps)).rejects.toThrow(PartitionShrinkError);
    expect(counters.closed).toBe(1);
  });

  it('rejects a property that is not an MSK cluster ARN before calling anything', async () => {
    const { deps, counters } = dependencies(new InMemoryAdmin());
    await expect(handleTopicEvent(event('Create', { ClusterArn: 'my-cluster' }), deps)).rejects.toThrow(
      /ClusterArn "my-cluster" is not an MSK cluster ARN/,
    );
    expect(counters.lookups).toEqual([]);
  });
});

describe('mskBootstrapBrokerLookup', () => {
  const credentials = () => ({
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'secret',
    sessionToken: 'token',
  });

  it('calls GetBootstrapBrokers on the regional endpoint, signed for the kafka service, and returns the SASL/IAM string', async () => {
    const requests: { url: string; headers: Record<string, string> }[] = [];
    const lookup = mskBootstrapBrokerLookup('eu-central-1', credentials, async (url, init) => {
      requests.push({ url, headers: init.headers });
      return { status: 200, text: async () => JSON.stringify({ bootstrapBrokerStringSaslIam: BROKERS }) };
    });
    await expect(lookup(CLUSTER_ARN)).resolves.toBe(BROKERS);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe(
      `https://kafka.eu-central-1.amazonaws.com/v1/clusters/${encodeURIComponent(CLUSTER_ARN)}/bootstrap-brokers`,
    );
    expect(requests[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/kafka\/aws4_request, SignedHeaders=[a-z;-]*host/,
    );
    expect(requests[0]?.headers['x-amz-security-token']).toBe('token');
  });

  it('explains a cluster without IAM authentication', async () => {
    const lookup = mskBootstrapBrokerLookup('eu-central-1', credentials, async () => ({
      status: 200,
      text: async () => JSON.stringify({ bootstrapBrokerStringTls: 'b-1:9094' }),
    }));
    await expect(lookup(CLUSTER_ARN)).rejects.toThrow(
      /no SASL\/IAM bootstrap brokers: enable IAM client authentication/,
    );
  });

  it('reports the HTTP status and body of a failed call', async () => {
    const lookup = mskBootstrapBrokerLookup('eu-central-1', credentials, async () => ({
      status: 403,
      text: async () => '{"message":"not authorized to perform: kafka:GetBootstrapBrokers"}',
    }));
    await expect(lookup(CLUSTER_ARN)).rejects.toThrow(/failed with HTTP 403: .*kafka:GetBootstrapBrokers/);
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
    expect(url.searchParams.get('User-Agent')).toMatch(/^bankpipe-kafka-topic\//);
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

  describe("equals the token of AWS's own signer (aws-msk-iam-sasl-signer-js)", () => {
    afterEach(() => vi.useRealTimers());

    /**
     * The decoded URL as origin, path and sorted parameters, without `User-Agent` (the one
     * unsigned part, which names the client). Parameter order differs between signer
     * versions and does not matter to SigV4, which sorts them before signing.
     */
    function signedParts(token: string): { origin: string; path: string; params: string[][] } {
      const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
      const params = [...url.searchParams.entries()].filter(([key]) => key !== 'User-Agent').sort();
      return { origin: url.origin, path: url.pathname, params };
    }

    async function officialToken(
      region: string,
      creds: typeof credentials | Omit<typeof credentials, 'sessionToken'>,
    ): Promise<string> {
      // The official signer reads the clock itself: pin it to the same instant.
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(now);
      try {
        const { token } = await generateAuthTokenFromCredentialsProvider({
          region,
          awsCredentialsProvider: () => Promise.resolve(creds),
        });
        return token;
      } finally {
        vi.useRealTimers();
      }
    }

    it.each([
      ['temporary credentials (as in Lambda)', 'eu-central-1', credentials],
      [
        'long-term credentials, another region',
        'us-east-1',
        { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret/with+chars' },
      ],
    ])('for %s', async (_label, region, creds) => {
      const ours = await createMskIamToken(region, creds, now);
      const official = await officialToken(region, creds);
      // Same URL, parameter for parameter (signature included), not only the same signature.
      expect(signedParts(ours)).toEqual(signedParts(official));
      expect(signedParts(ours).params.map(([key]) => key)).toContain('X-Amz-Signature');
    });
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
