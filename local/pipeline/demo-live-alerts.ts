/**
 * The live fraud-alerts path beside the batch in `make demo`: the twin's consumer
 * (live-alerts-consumer.ts, the live-alerts Lambda's logic and adapters) runs for the whole demo run
 * in its own consumer group, and at the end its archived alerts are read back for the comparison
 * with the batch's fraud report (live-reconciliation.ts).
 *
 * The group's committed offsets are the consumer's place across demo runs: a run resumes where the
 * one before stopped (an interrupted run's records are read by the next). A new group starts at the
 * topic's end, as the AWS mapping starts at LATEST, set explicitly before the consumer joins so that
 * no record dropped after the start is skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { PROJECT_SLUG } from '../../lib/shared/pipeline-layout';
import { type LiveAlertsStats, type RunningLiveAlerts, startLiveAlerts } from './live-alerts-consumer';
import { type LiveAlertsTwinSettings, liveAlertsTwinSettings } from './live-alerts-settings';
import type { ArchivedAlert } from './live-reconciliation';
import { listObjects, readText } from './s3';

/** Its own group, so that a consumer started by hand (live-alerts.ts) never shares its partitions. */
export const DEMO_LIVE_ALERTS_GROUP = `${PROJECT_SLUG}-twin-demo-live-alerts`;

/**
 * Records per call of the logic: the event source mapping's largest batch size, not the stage's 100.
 * The demo drops hours of lines at once, a backlog rather than a stream: a call's cards are read and
 * written in batched requests of up to 100 cards, so larger calls fill them and the backlog drains in
 * fewer requests to moto. The alerts do not change (the rules see each card's whole history either
 * way).
 */
export const DEMO_LIVE_BATCH_SIZE = 10_000;

export class DemoLiveAlerts {
  private stopped = false;

  private constructor(
    readonly settings: LiveAlertsTwinSettings,
    private readonly running: RunningLiveAlerts,
    private readonly logFile: fs.WriteStream,
  ) {}

  /** Starts the consumer (a new group at the topic's end); resolves once it has joined. */
  static async start(env: NodeJS.ProcessEnv, topic: string, logPath: string): Promise<DemoLiveAlerts> {
    const settings = liveAlertsTwinSettings(env, {
      topic,
      groupId: DEMO_LIVE_ALERTS_GROUP,
      fromBeginning: true,
      batchSize: DEMO_LIVE_BATCH_SIZE,
    });
    await startNewGroupAtTheEnd(settings);
    const logFile = fs.createWriteStream(logPath, { flags: 'a' });
    const running = await startLiveAlerts({
      settings,
      log: (line) => logFile.write(`${new Date().toISOString()} ${line}\n`),
    });
    return new DemoLiveAlerts(settings, running, logFile);
  }

  stats(): LiveAlertsStats {
    return this.running.stats();
  }

  /** Waits until the group has committed every record now on the topic, then stops the consumer. */
  async finish(timeoutMs: number): Promise<LiveAlertsStats> {
    await Promise.race([this.running.waitUntilCaughtUp(timeoutMs), this.running.failed]);
    await this.stop();
    return this.stats();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.running.stop();
    this.logFile.end();
  }
}

/** A group that has never committed starts at the topic's end offsets (LATEST), written before it joins. */
async function startNewGroupAtTheEnd(settings: LiveAlertsTwinSettings): Promise<void> {
  const kafka = new Kafka({
    clientId: `${PROJECT_SLUG}-demo-live-alerts-admin`,
    brokers: [settings.kafkaBootstrap],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = await admin.fetchOffsets({ groupId: settings.groupId, topics: [settings.topic] });
    if ((group?.partitions ?? []).some((p) => Number(p.offset) >= 0)) return;
    const ends = await admin.fetchTopicOffsets(settings.topic);
    await admin.setOffsets({
      groupId: settings.groupId,
      topic: settings.topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every alert in the live archive (s3://<processed>/live_fraud_alerts/alert_date=<day>/...) raised on
 * `since` (a UTC day) or later, once per alert id. The archive is on s3proxy's disk, so it keeps the
 * alerts of earlier runs when the in-memory moto service has been restarted.
 */
export async function archivedAlerts(
  s3: S3Client,
  settings: LiveAlertsTwinSettings,
  since: string,
): Promise<ArchivedAlert[]> {
  const byId = new Map<string, ArchivedAlert>();
  const objects = await listObjects(s3, settings.archiveBucket, settings.archivePrefix);
  for (const object of objects) {
    const day = /alert_date=(\d{4}-\d{2}-\d{2})\//.exec(object.Key ?? '')?.[1];
    if (object.Key === undefined || day === undefined || day < since) continue;
    const text = await readText(s3, settings.archiveBucket, object.Key);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as ArchivedAlert;
      if (!byId.has(row.alert_id)) byId.set(row.alert_id, row);
    }
  }
  return [...byId.values()];
}

export function demoLiveAlertsLog(twinHome: string): string {
  return path.join(twinHome, 'logs', 'demo-live-alerts.log');
}
