/**
 * The live fraud-alerts consumer on the twin, as a command (see `--help`). The programmatic API is
 * `startLiveAlerts` in live-alerts-consumer.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { type LiveAlertsStats, startLiveAlerts } from './live-alerts-consumer';
import { DEFAULT_BATCH_SIZE, liveAlertsTwinSettings } from './live-alerts-settings';

const HELP = `Live fraud alerts on the local twin: reads the transactions topic from the twin's Kafka broker
and runs every batch through the live-alerts Lambda's logic and AWS adapters (card state and alert
records in DynamoDB and the fraud-alerts topic on the twin's moto server, the archive in s3proxy).

Usage:
  source <(local/twin.py env)
  npx tsx local/pipeline/live-alerts.ts [options]

Options:
  --from-beginning           a group without committed offsets starts at the topic's start
                             (default: at its end, as the AWS event source mapping starts at LATEST)
  --group ID                 Kafka consumer group (default <slug>-twin-live-alerts); a restart
                             resumes from the group's committed offsets
  --topic NAME               topic (default: the pipeline layout's transactions topic)
  --batch-size N             records per call of the logic, as the mapping's batch size (default ${DEFAULT_BATCH_SIZE})
  --retry-attempts N         retries of a failed record before the on-failure file (default: the
                             stage default of liveAlerts.retryAttempts)
  --archive-prefix P         key prefix of the alerts archive in the processed bucket
  --stats FILE               JSON stats rewritten after every batch: records, bad lines (where
                             and why), alerts stored with their latency, committed offsets, AWS
                             requests by operation
  --stats-every SECONDS      rewrite the stats file every SECONDS instead of after every batch
                             (a long run's file grows with its alerts)
  --exit-when-caught-up      exit 0 once the group's committed offsets reach the topic's end
                             offsets as they were at start-up
  --timeout SECONDS          with --exit-when-caught-up: fail (exit 1) after this long (default 600)
  --crash-after-alert-batches N
                             fault injection for tests: SIGKILL this process after the N-th batch
                             that stored alerts, before its offsets are committed
  -h, --help                 this help

Stops cleanly on SIGINT or SIGTERM (offsets of finished batches are committed; a batch in flight is
read again after a restart and raises nothing twice).`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'from-beginning': { type: 'boolean', default: false },
      group: { type: 'string' },
      topic: { type: 'string' },
      'batch-size': { type: 'string' },
      'retry-attempts': { type: 'string' },
      'archive-prefix': { type: 'string' },
      stats: { type: 'string' },
      'stats-every': { type: 'string', default: '0' },
      'exit-when-caught-up': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '600' },
      'crash-after-alert-batches': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const settings = liveAlertsTwinSettings(process.env, {
    fromBeginning: values['from-beginning'],
    groupId: values.group,
    topic: values.topic,
    batchSize: optionalNumber('--batch-size', values['batch-size']),
    retryAttempts: optionalNumber('--retry-attempts', values['retry-attempts']),
    archivePrefix: values['archive-prefix'],
  });
  const crashAfter = optionalNumber('--crash-after-alert-batches', values['crash-after-alert-batches']);
  const timeoutSeconds = optionalNumber('--timeout', values.timeout) ?? 600;
  const statsFile = values.stats;
  const statsEveryMs = (optionalNumber('--stats-every', values['stats-every']) ?? 0) * 1000;
  const writeStats = (stats: LiveAlertsStats): void => {
    if (statsFile !== undefined) writeJsonAtomically(statsFile, stats);
  };

  const consumer = await startLiveAlerts({
    settings,
    log: (line) => console.log(`[live-alerts] ${line}`),
    onBatch: statsEveryMs > 0 ? undefined : writeStats,
    faults: crashAfter === undefined ? undefined : { crashAfterAlertBatches: crashAfter },
  });
  console.log(
    `[live-alerts] consuming ${settings.topic} on ${settings.kafkaBootstrap} as group ${settings.groupId}; ` +
      `alerts to ${settings.alertsTable} (moto ${settings.motoEndpoint}), ` +
      `s3://${settings.archiveBucket}/${settings.archivePrefix}`,
  );
  writeStats(consumer.stats());
  if (statsEveryMs > 0) setInterval(() => writeStats(consumer.stats()), statsEveryMs).unref();

  const stopped = new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      console.log(`[live-alerts] ${signal}: stopping`);
      resolve(0);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const caughtUp = values['exit-when-caught-up']
    ? consumer.waitUntilCaughtUp(timeoutSeconds * 1000).then(
        () => 0,
        (error: unknown) => {
          console.error(`[live-alerts] ${error instanceof Error ? error.message : String(error)}`);
          return 1;
        },
      )
    : new Promise<number>(() => undefined);
  const crashed = consumer.failed.catch((error: unknown) => {
    console.error(`[live-alerts] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  });
  const code = await Promise.race([stopped, caughtUp, crashed]);
  await consumer.stop();
  const stats = consumer.stats();
  writeStats(stats);
  console.log(
    `[live-alerts] ${stats.recordsRead} record(s), ${stats.badLines.length} bad line(s), ` +
      `${stats.alerts.length} alert(s) stored; latency since the Kafka timestamp: median ` +
      `${stats.latencyMs.medianSinceKafka ?? '-'} ms, max ${stats.latencyMs.maxSinceKafka ?? '-'} ms`,
  );
  return code;
}

function optionalNumber(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${option} must be a whole number; got '${text}'`);
  return Number(text);
}

function writeJsonAtomically(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(partial, file);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[live-alerts] error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
