/**
 * The live fraud-alerts path on the twin: a kafkajs consumer of the transactions topic in the place of
 * the MSK event source mapping, handing each batch, in the MSK event's shape, to the Lambda's own logic
 * (lambda/live-alerts/live-alerts.ts `processBatch`, the fraud rules of contracts/fraud-rules.json) with
 * the Lambda's own adapters (lambda/live-alerts/aws-ports.ts: AWS SDK v3 clients, here pointed at the
 * twin's moto server for DynamoDB and SNS and at s3proxy for the archive). Only handler.ts, the thin
 * Lambda entry (environment, Powertools), is not run.
 *
 * As the event source mapping does: at most `batchSize` records of one partition per call, a
 * partition's offsets committed only after the batch's alerts are stored (at-least-once: a consumer
 * that dies before the commit has the batch again after its restart, and the alerts' deterministic ids
 * keep them from being raised twice), records the logic reports failed retried `retryAttempts` times,
 * then written to the on-failure file (the on-failure queue's stand-in) and passed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { createAwsAlertSink, createDynamoCardStateStore } from '../../lambda/live-alerts/aws-ports';
import type { FraudAlert, LiveTransaction } from '../../lambda/live-alerts/fraud-rules';
import {
  type BatchOutcome,
  type LiveAlertLog,
  type LiveAlertPorts,
  processBatch,
} from '../../lambda/live-alerts/live-alerts';
import { fraudRuleEngine } from '../../lambda/live-alerts/rule-engine';
import { clientConfig, s3ClientConfig } from '../../lambda/shared/clients';
import { type ConsumedMessage, mskEventOf, newestTimestampByCard } from './live-alerts-event';
import type { LiveAlertsTwinSettings } from './live-alerts-settings';

/** The cluster ARN the twin's events carry (informational: the logic never reads it). */
const TWIN_CLUSTER_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/twin/local';
/**
 * A consumer that dies without leaving its group holds its partitions until this timeout passes: short,
 * so a restart is quick; heartbeats go out every second while a batch is processed, so a slow batch on
 * a loaded machine keeps its membership.
 */
const SESSION_TIMEOUT_MS = 15_000;
const HEARTBEAT_INTERVAL_MS = 1_000;
const RETRY_DELAY_MS = 500;
const CAUGHT_UP_POLL_MS = 500;

/** One alert the consumer stored, with how long it took. */
export interface StoredAlert {
  readonly alertId: string;
  readonly rule: string;
  readonly cardId: string;
  readonly transactionId: string;
  /** From the Kafka timestamp of the newest record of the card in the batch that raised it. */
  readonly sinceKafkaMs: number;
  /** From the moment the consumer received that batch from the broker. */
  readonly sinceArrivalMs: number;
}

/** Where a record sits: the MSK event's `<topic>-<partition>` key and the offset. */
export interface RecordPosition {
  readonly partition: string;
  readonly offset: number;
}

export interface LiveAlertsStats {
  readonly batches: number;
  readonly recordsRead: number;
  readonly transactionsRead: number;
  readonly linesNotApplicable: number;
  /** Lines that did not parse, skipped and counted (never retried). */
  readonly badLines: readonly (RecordPosition & { readonly reason: string })[];
  readonly alerts: readonly StoredAlert[];
  readonly stateConflicts: number;
  /** Records the logic reported failed, counted once per attempt. */
  readonly failedRecordAttempts: number;
  /** Records given up after their retries (in the on-failure file). */
  readonly recordsGivenUp: number;
  /** The first offset this process read per partition (after a restart: where it resumed). */
  readonly firstOffsets: Readonly<Record<string, number>>;
  /** The next offset to read per partition, as last committed by this process. */
  readonly committed: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary;
  /** AWS requests sent, by operation (e.g. `DynamoDB.BatchGetItem`): what each batch costs. */
  readonly awsRequests: Readonly<Record<string, number>>;
}

export interface LatencySummary {
  readonly count: number;
  readonly medianSinceKafka: number | null;
  readonly maxSinceKafka: number | null;
  readonly medianSinceArrival: number | null;
  readonly maxSinceArrival: number | null;
}

export interface LiveAlertsFaults {
  /**
   * Test fault: after the N-th batch that stored alerts, before its offsets are committed, `crash()`
   * (default: SIGKILL of this process, a poller lost mid-batch).
   */
  readonly crashAfterAlertBatches?: number;
  readonly crash?: () => void;
}

export interface LiveAlertsConsumerOptions {
  readonly settings: LiveAlertsTwinSettings;
  /** One line per batch and per warning; default: nothing. */
  readonly log?: (line: string) => void;
  /** Called after every batch with the stats so far (e.g. to write them to a file). */
  readonly onBatch?: (stats: LiveAlertsStats) => void;
  readonly faults?: LiveAlertsFaults;
}

export interface RunningLiveAlerts {
  stats(): LiveAlertsStats;
  /** Rejects when the Kafka consumer stops for good on an error it does not restart from. */
  readonly failed: Promise<never>;
  /** Resolves once the group's committed offsets reach the topic's end offsets as they are now. */
  waitUntilCaughtUp(timeoutMs: number): Promise<void>;
  /** Leaves the group and disconnects; offsets of batches in flight are committed first. */
  stop(): Promise<void>;
}

/** Starts the consumer; resolves once it has joined its group. */
export async function startLiveAlerts(options: LiveAlertsConsumerOptions): Promise<RunningLiveAlerts> {
  const { settings } = options;
  const log = options.log ?? (() => undefined);
  const tracker = new StatsTracker();
  const ports = twinPorts(settings, log, (operation) => tracker.request(operation));
  const kafka = new Kafka({
    clientId: 'bankpipe-twin-live-alerts',
    brokers: [settings.kafkaBootstrap],
    logLevel: logLevel.ERROR,
    logCreator: () => (entry) => log(`kafka: ${entry.log.message}`),
  });
  const consumer = kafka.consumer({
    groupId: settings.groupId,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
  });
  const failed = new Promise<never>((_, reject) =>
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) reject(new Error(`the Kafka consumer stopped: ${payload.error.message}`));
    }),
  );
  failed.catch(() => undefined); // observed by the caller through `failed`
  const processor = new PartitionBatchProcessor(settings, ports, tracker, log, options.faults);
  await consumer.connect();
  await consumer.subscribe({ topics: [settings.topic], fromBeginning: settings.fromBeginning });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const arrivedAt = Date.now();
      for (const chunk of chunks(batch.messages, settings.batchSize)) {
        if (!isRunning() || isStale()) return;
        tracker.read(`${batch.topic}-${batch.partition}`, Number(chunk[0]?.offset));
        await whileBeating(heartbeat, log, () =>
          processor.process(batch.topic, batch.partition, chunk, arrivedAt),
        );
        const next = Number(chunk[chunk.length - 1]?.offset) + 1;
        try {
          await commit(consumer, batch.topic, batch.partition, next);
        } catch (error) {
          // Typically the group rebalanced meanwhile: whoever gets the partition reads the batch again,
          // which is safe (alert ids are deterministic); nothing after it is processed here.
          log(`warn offsets not committed (${errorText(error)}); the batch will be read again`);
          return;
        }
        tracker.committed(`${batch.topic}-${batch.partition}`, next);
        resolveOffset(String(next - 1));
        options.onBatch?.(tracker.snapshot());
        await heartbeat();
      }
    },
  });
  await joined;

  return {
    stats: () => tracker.snapshot(),
    failed,
    waitUntilCaughtUp: (timeoutMs) => waitUntilCaughtUp(kafka, settings, timeoutMs),
    stop: async () => {
      await consumer.disconnect();
      for (const client of Object.values(ports.clients)) client.destroy();
    },
  };
}

/** Runs `work` while sending group heartbeats every second. */
async function whileBeating<T>(
  heartbeat: () => Promise<void>,
  log: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    heartbeat().catch((error: unknown) => log(`warn heartbeat failed: ${errorText(error)}`));
  }, HEARTBEAT_INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function commit(consumer: Consumer, topic: string, partition: number, next: number): Promise<void> {
  await consumer.commitOffsets([{ topic, partition, offset: String(next) }]);
}

interface TwinPorts extends LiveAlertPorts<LiveTransaction, FraudAlert> {
  readonly clients: { dynamodb: DynamoDBClient; s3: S3Client; sns: SNSClient };
}

/**
 * The Lambda's adapters with clients pointed at the twin: moto for DynamoDB and SNS, s3proxy for S3.
 * Every request is counted by operation (`sent`), as a benchmark reads where the time goes.
 */
function twinPorts(
  settings: LiveAlertsTwinSettings,
  log: (line: string) => void,
  sent: (operation: string) => void,
): TwinPorts {
  const dynamodb = new DynamoDBClient({
    ...clientConfig(),
    endpoint: settings.motoEndpoint,
    region: settings.region,
  });
  const sns = new SNSClient({ ...clientConfig(), endpoint: settings.motoEndpoint, region: settings.region });
  const s3 = new S3Client({
    ...s3ClientConfig({ AWS_ENDPOINT_URL_S3: settings.s3Endpoint }),
    endpoint: settings.s3Endpoint,
    region: settings.region,
  });
  const logLine =
    (level: string) =>
    (message: string, details?: Record<string, unknown>): void =>
      log(`${level} ${message}${details === undefined ? '' : ` ${JSON.stringify(details)}`}`);
  const lambdaLog: LiveAlertLog = { info: logLine('info'), warn: logLine('warn') };
  const counting =
    (service: string) =>
    <Args, Output>(next: (args: Args) => Promise<Output>, context: { commandName?: string }) =>
    (args: Args): Promise<Output> => {
      sent(`${service}.${(context.commandName ?? 'unknown').replace(/Command$/, '')}`);
      return next(args);
    };
  const counter = { step: 'initialize', name: 'countTwinRequests' } as const;
  dynamodb.middlewareStack.add(counting('DynamoDB'), counter);
  sns.middlewareStack.add(counting('SNS'), counter);
  s3.middlewareStack.add(counting('S3'), counter);
  return {
    rules: fraudRuleEngine(),
    state: createDynamoCardStateStore<LiveTransaction>(dynamodb, settings),
    alerts: createAwsAlertSink<FraudAlert>({ dynamodb, s3, sns }, settings),
    log: lambdaLog,
    clients: { dynamodb, s3, sns },
  };
}

/**
 * One partition's batch through the logic: retried from the first record it reports failed, as the
 * event source redelivers, then what still fails goes to the on-failure file.
 */
class PartitionBatchProcessor {
  private alertBatches = 0;

  constructor(
    private readonly settings: LiveAlertsTwinSettings,
    private readonly ports: TwinPorts,
    private readonly tracker: StatsTracker,
    private readonly log: (line: string) => void,
    private readonly faults: LiveAlertsFaults = {},
  ) {}

  async process(
    topic: string,
    partition: number,
    messages: ConsumedMessage[],
    arrivedAt: number,
  ): Promise<void> {
    const newestByCard = newestTimestampByCard(messages);
    let pending = messages;
    let stored = 0;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      const outcome = await this.attempt(topic, partition, pending);
      this.tracker.add(outcome, attempt === 0);
      const storedAt = Date.now();
      for (const alert of outcome.alertsRaised) {
        this.tracker.alert({
          alertId: alert.alertId,
          rule: alert.rule,
          cardId: alert.cardId,
          transactionId: alert.transactionId,
          sinceKafkaMs: storedAt - (newestByCard.get(alert.cardId) ?? arrivedAt),
          sinceArrivalMs: storedAt - arrivedAt,
        });
      }
      stored += outcome.alertsRaised.length;
      const failedOffsets = outcome.batchItemFailures.map((failure) => failure.itemIdentifier.offset);
      if (failedOffsets.length === 0) break;
      const firstFailed = Math.min(...failedOffsets);
      pending = pending.filter((message) => Number(message.offset) >= firstFailed);
      if (attempt >= this.settings.retryAttempts) {
        this.giveUp(topic, partition, pending, outcome);
        break;
      }
      this.log(`warn ${failedOffsets.length} record(s) failed; retrying from offset ${firstFailed}`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * 2 ** attempt));
    }
    this.log(
      `batch ${topic}-${partition} offsets ${messages[0]?.offset}..${messages[messages.length - 1]?.offset}: ` +
        `${messages.length} record(s), ${stored} alert(s) stored`,
    );
    if (stored > 0) this.crashIfAsked();
  }

  /** processBatch never throws for a bad line or a card; anything else fails the whole batch. */
  private async attempt(
    topic: string,
    partition: number,
    messages: ConsumedMessage[],
  ): Promise<BatchOutcome<FraudAlert>> {
    const event = mskEventOf(
      { clusterArn: TWIN_CLUSTER_ARN, bootstrapServers: this.settings.kafkaBootstrap },
      topic,
      partition,
      messages,
    );
    try {
      return await processBatch(event, this.ports);
    } catch (error) {
      this.log(`warn the batch failed as a whole: ${errorText(error)}`);
      const key = `${topic}-${partition}`;
      return {
        batchItemFailures: messages.map((m) => ({
          itemIdentifier: { partition: key, offset: Number(m.offset) },
        })),
        recordsRead: 0,
        transactionsRead: 0,
        linesNotApplicable: 0,
        badLines: [],
        cardsProcessed: 0,
        stateConflicts: 0,
        alertsRaised: [],
      };
    }
  }

  private giveUp(
    topic: string,
    partition: number,
    messages: ConsumedMessage[],
    outcome: BatchOutcome<FraudAlert>,
  ): void {
    const failed = new Set(outcome.batchItemFailures.map((failure) => failure.itemIdentifier.offset));
    const lines = messages
      .filter((message) => failed.has(Number(message.offset)))
      .map((message) =>
        JSON.stringify({
          topic,
          partition,
          offset: Number(message.offset),
          timestamp: Number(message.timestamp),
          value: message.value?.toString('base64') ?? null,
          gaveUpAt: new Date().toISOString(),
        }),
      );
    fs.mkdirSync(path.dirname(this.settings.onFailureFile), { recursive: true });
    fs.appendFileSync(this.settings.onFailureFile, lines.map((line) => `${line}\n`).join(''));
    this.tracker.gaveUp(lines.length);
    this.log(`warn ${lines.length} record(s) given up after their retries: ${this.settings.onFailureFile}`);
  }

  private crashIfAsked(): void {
    this.alertBatches += 1;
    const after = this.faults.crashAfterAlertBatches;
    if (after === undefined || this.alertBatches < after) return;
    this.log(`fault: crashing after ${this.alertBatches} batch(es) with alerts, before their commit`);
    (this.faults.crash ?? (() => process.kill(process.pid, 'SIGKILL')))();
  }
}

class StatsTracker {
  private batches = 0;
  private recordsRead = 0;
  private transactionsRead = 0;
  private linesNotApplicable = 0;
  private readonly badLines: (RecordPosition & { reason: string })[] = [];
  private readonly alerts: StoredAlert[] = [];
  private stateConflicts = 0;
  private failedRecordAttempts = 0;
  private recordsGivenUp = 0;
  private readonly firstOffsets: Record<string, number> = {};
  private readonly committedOffsets: Record<string, number> = {};
  private readonly awsRequests: Record<string, number> = {};

  request(operation: string): void {
    this.awsRequests[operation] = (this.awsRequests[operation] ?? 0) + 1;
  }

  /** `firstAttempt`: counts records, lines and bad lines once, not again on a retry. */
  add(outcome: BatchOutcome<FraudAlert>, firstAttempt: boolean): void {
    if (firstAttempt) {
      this.batches += 1;
      this.recordsRead += outcome.recordsRead;
      this.transactionsRead += outcome.transactionsRead;
      this.linesNotApplicable += outcome.linesNotApplicable;
      for (const bad of outcome.badLines) this.badLines.push({ ...bad.at, reason: bad.reason });
    }
    this.stateConflicts += outcome.stateConflicts;
    this.failedRecordAttempts += outcome.batchItemFailures.length;
  }

  alert(stored: StoredAlert): void {
    this.alerts.push(stored);
  }

  gaveUp(records: number): void {
    this.recordsGivenUp += records;
  }

  committed(partitionKey: string, next: number): void {
    this.committedOffsets[partitionKey] = next;
  }

  read(partitionKey: string, offset: number): void {
    this.firstOffsets[partitionKey] ??= offset;
  }

  snapshot(): LiveAlertsStats {
    return {
      batches: this.batches,
      recordsRead: this.recordsRead,
      transactionsRead: this.transactionsRead,
      linesNotApplicable: this.linesNotApplicable,
      badLines: [...this.badLines],
      alerts: [...this.alerts],
      stateConflicts: this.stateConflicts,
      failedRecordAttempts: this.failedRecordAttempts,
      recordsGivenUp: this.recordsGivenUp,
      firstOffsets: { ...this.firstOffsets },
      committed: { ...this.committedOffsets },
      latencyMs: summarize(this.alerts),
      awsRequests: { ...this.awsRequests },
    };
  }
}

export function summarize(alerts: readonly StoredAlert[]): LatencySummary {
  const median = (values: number[]): number | null => {
    if (values.length === 0) return null;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  };
  const max = (values: number[]): number | null => (values.length === 0 ? null : Math.max(...values));
  const sinceKafka = alerts.map((alert) => alert.sinceKafkaMs);
  const sinceArrival = alerts.map((alert) => alert.sinceArrivalMs);
  return {
    count: alerts.length,
    medianSinceKafka: median(sinceKafka),
    maxSinceKafka: max(sinceKafka),
    medianSinceArrival: median(sinceArrival),
    maxSinceArrival: max(sinceArrival),
  };
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}

/** Polls until the group's committed offsets reach each partition's end offset as read at the start. */
async function waitUntilCaughtUp(
  kafka: Kafka,
  settings: LiveAlertsTwinSettings,
  timeoutMs: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = new Map(
      (await admin.fetchTopicOffsets(settings.topic)).map((p) => [p.partition, Number(p.high)] as const),
    );
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [group] = await admin.fetchOffsets({ groupId: settings.groupId, topics: [settings.topic] });
      const committed = new Map(
        (group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)] as const),
      );
      const behind = [...ends].filter(
        ([partition, end]) => end > 0 && (committed.get(partition) ?? -1) < end,
      );
      if (behind.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `the live-alerts consumer has not caught up after ${timeoutMs} ms: ` +
            behind
              .map(([p, end]) => `partition ${p} committed ${committed.get(p) ?? 'nothing'} of ${end}`)
              .join(', '),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, CAUGHT_UP_POLL_MS));
    }
  } finally {
    await admin.disconnect();
  }
}
