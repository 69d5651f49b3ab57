import * as path from 'node:path';
import { ALERT_RECORD_TTL_DAYS, LIVE_ALERTS_ARCHIVE_PREFIX } from '../../lib/alerts/live-alerts-consumer';
import { defaultStageSettings } from '../../lib/config/defaults';
import { PROJECT_SLUG, TRANSACTIONS_TOPIC } from '../../lib/shared/pipeline-layout';
import { REPO_ROOT } from '../../lib/shared/repo-root';

/** The alerts stack's settings as the dev stage has them (the twin plays dev, as orchestrate.ts does). */
const STAGE_LIVE_ALERTS = defaultStageSettings('dev').liveAlerts;

/**
 * Largest number of records handed to the logic at once, as the event source mapping's batch size
 * (lib/alerts/live-alerts-consumer-props.ts: `batchSize`, default 100).
 */
export const DEFAULT_BATCH_SIZE = 100;

/** Where the live-alerts consumer on the twin reads from and writes to; from `local/twin.py env`. */
export interface LiveAlertsTwinSettings {
  readonly kafkaBootstrap: string;
  readonly topic: string;
  /** Kafka consumer group: its committed offsets are where a restart resumes. */
  readonly groupId: string;
  /**
   * Where a group without committed offsets starts. AWS starts a new mapping at LATEST (the topic's
   * past is the batch's job); a run that drops its files before the consumer has joined needs
   * `true`, or it skips what arrived before.
   */
  readonly fromBeginning: boolean;
  readonly batchSize: number;
  /** Retries of a record the logic reported failed, then it goes to the on-failure file. */
  readonly retryAttempts: number;
  readonly region: string;
  readonly motoEndpoint: string;
  readonly s3Endpoint: string;
  readonly stateTable: string;
  readonly alertsTable: string;
  readonly alertsTopicArn: string;
  readonly archiveBucket: string;
  readonly archivePrefix: string;
  readonly stateTtlHours: number;
  readonly alertTtlDays: number;
  /** JSON lines of records given up after their retries: the on-failure queue's stand-in. */
  readonly onFailureFile: string;
}

export type LiveAlertsOverrides = Partial<
  Pick<
    LiveAlertsTwinSettings,
    'topic' | 'groupId' | 'fromBeginning' | 'batchSize' | 'retryAttempts' | 'archivePrefix'
  >
>;

/** Reads the twin's endpoints from the environment; every missing variable is named, with the fix. */
export function liveAlertsTwinSettings(
  env: NodeJS.ProcessEnv = process.env,
  overrides: LiveAlertsOverrides = {},
): LiveAlertsTwinSettings {
  const missing: string[] = [];
  const need = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') missing.push(name);
    return value ?? '';
  };
  const twinHome = path.resolve(env.TWIN_HOME ?? path.join(REPO_ROOT, '.local', 'twin'));
  const settings: LiveAlertsTwinSettings = {
    kafkaBootstrap: need('TWIN_KAFKA_BOOTSTRAP'),
    topic: overrides.topic ?? TRANSACTIONS_TOPIC,
    groupId: overrides.groupId ?? `${PROJECT_SLUG}-twin-live-alerts`,
    fromBeginning: overrides.fromBeginning ?? false,
    batchSize: overrides.batchSize ?? DEFAULT_BATCH_SIZE,
    retryAttempts: overrides.retryAttempts ?? STAGE_LIVE_ALERTS.retryAttempts,
    region: need('AWS_REGION'),
    motoEndpoint: need('TWIN_MOTO_ENDPOINT'),
    s3Endpoint: need('TWIN_S3_ENDPOINT'),
    stateTable: need('TWIN_LIVE_STATE_TABLE'),
    alertsTable: need('TWIN_LIVE_ALERTS_TABLE'),
    alertsTopicArn: need('TWIN_FRAUD_ALERTS_TOPIC_ARN'),
    archiveBucket: need('TWIN_PROCESSED_BUCKET'),
    archivePrefix: overrides.archivePrefix ?? LIVE_ALERTS_ARCHIVE_PREFIX,
    stateTtlHours: STAGE_LIVE_ALERTS.stateTtlHours,
    alertTtlDays: ALERT_RECORD_TTL_DAYS,
    onFailureFile: path.join(twinHome, 'live-alerts', 'on-failure.jsonl'),
  };
  need('AWS_ACCESS_KEY_ID');
  need('AWS_SECRET_ACCESS_KEY');
  if (missing.length > 0) {
    throw new Error(
      `missing environment: ${missing.join(', ')}. Start the twin (with its moto service) and load its ` +
        'endpoints first: local/twin.py start && source <(local/twin.py env)',
    );
  }
  const wholeNumber = (name: string, value: number, min: number, max: number): void => {
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name} must be a whole number from ${min} to ${max}; got ${value}`);
    }
  };
  wholeNumber('the batch size', settings.batchSize, 1, 10_000);
  wholeNumber('the retry attempts', settings.retryAttempts, 0, 10);
  if (!settings.archivePrefix.endsWith('/') || settings.archivePrefix.startsWith('/')) {
    throw new Error(
      `the archive prefix '${settings.archivePrefix}' must be a folder like 'live_fraud_alerts/'`,
    );
  }
  return settings;
}
