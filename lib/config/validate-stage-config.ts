import { loadFraudRules, longestWindowSeconds } from '../../lambda/live-alerts/fraud-rules';
import { MAX_RUN_ATTEMPTS } from '../../lambda/start-run/start-run';
import { validateAvailabilityZones } from './availability-zones';
import { ConfigError } from './config-error';
import { validateEmrTlsCertificatesZipKey } from './emr-in-transit-encryption';
import { validateInterfaceEndpoints } from './interface-endpoints';
import {
  AWS_RUNTIMES_FILE,
  emrReleaseRuntime,
  MSK_KAFKA_VERSION,
  SUPPORTED_EMR_RELEASE_LABELS,
} from './aws-runtimes';
import type { StageConfig } from './stage-config';

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const MSK_CONNECT_MCU = [1, 2, 4, 8];
const GLUE_WORKER_TYPES = ['G.1X', 'G.2X', 'G.4X', 'G.8X'];

/** Checks one stage's config and throws a ConfigError naming the first bad key. */
export function validateStageConfig(config: StageConfig): void {
  const key = (path: string): string => `stages.${config.stage}.${path}`;
  const { network, storage, streaming, processing, analytics, warehouse, orchestration, monitoring } = config;

  validatePrivateCidr(key('network.vpcCidr'), network.vpcCidr);
  requireOneOf(key('network.maxAzs'), network.maxAzs, [2, 3], 'use 2 or 3 availability zones');
  requireIntegerInRange(key('network.natGateways'), network.natGateways, 0, network.maxAzs);
  validateAvailabilityZones(key('network.availabilityZones'), network.availabilityZones, network.maxAzs);
  requireOneOf(
    key('network.flowLogRetentionDays'),
    network.flowLogRetentionDays,
    LOG_RETENTION_DAYS,
    `use a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`,
  );

  requireIntegerInRange(
    key('storage.rawInfrequentAccessAfterDays'),
    storage.rawInfrequentAccessAfterDays,
    30,
    3650,
  );
  requireIntegerInRange(key('storage.rawGlacierAfterDays'), storage.rawGlacierAfterDays, 1, 3650);
  if (storage.rawGlacierAfterDays <= storage.rawInfrequentAccessAfterDays) {
    throw new ConfigError(
      key('storage.rawGlacierAfterDays'),
      `${storage.rawGlacierAfterDays} is not after rawInfrequentAccessAfterDays (${storage.rawInfrequentAccessAfterDays})`,
      'set rawGlacierAfterDays greater than rawInfrequentAccessAfterDays',
    );
  }
  requireIntegerInRange(key('storage.quarantineExpireAfterDays'), storage.quarantineExpireAfterDays, 1, 3650);
  requireIntegerInRange(
    key('storage.athenaResultsExpireAfterDays'),
    storage.athenaResultsExpireAfterDays,
    1,
    3650,
  );
  requireIntegerInRange(key('storage.accessLogsExpireAfterDays'), storage.accessLogsExpireAfterDays, 1, 3650);

  requireIntegerInRange(key('streaming.brokerCount'), streaming.brokerCount, 2, 30);
  if (streaming.brokerCount % network.maxAzs !== 0) {
    throw new ConfigError(
      key('streaming.brokerCount'),
      `${streaming.brokerCount} brokers cannot be spread evenly over ${network.maxAzs} availability zones`,
      `use a multiple of network.maxAzs (${network.maxAzs}), e.g. ${network.maxAzs} or ${network.maxAzs * 2}`,
    );
  }
  requirePattern(
    key('streaming.brokerInstanceType'),
    streaming.brokerInstanceType,
    /^kafka\.[a-z0-9]+\.[a-z0-9]+$/,
    "use an MSK broker type such as 'kafka.m7g.large'",
  );
  requirePattern(
    key('streaming.kafkaVersion'),
    streaming.kafkaVersion,
    /^3\.\d+\.(\d+|x)$/,
    `use an MSK Kafka 3.x version such as '${MSK_KAFKA_VERSION}' (MSK Connect plugins are built for Connect 3.x)`,
  );
  requireIntegerInRange(key('streaming.brokerVolumeGiB'), streaming.brokerVolumeGiB, 10, 16384);
  requirePattern(
    key('streaming.topicName'),
    streaming.topicName,
    /^[a-zA-Z0-9._-]{1,249}$/,
    'use letters, digits, dots, underscores and dashes (Kafka topic name rules)',
  );
  requireIntegerInRange(key('streaming.topicPartitions'), streaming.topicPartitions, 1, 1000);
  requireOneOf(
    key('streaming.connectMcuCount'),
    streaming.connectMcuCount,
    MSK_CONNECT_MCU,
    'use 1, 2, 4 or 8',
  );
  requireIntegerInRange(key('streaming.connectWorkerCount'), streaming.connectWorkerCount, 1, 10);
  requirePattern(
    key('streaming.sftpSecretName'),
    streaming.sftpSecretName,
    /^[a-zA-Z0-9/_+=.@-]{1,512}$/,
    'use a Secrets Manager secret name (letters, digits and /_+=.@-)',
  );
  requirePattern(
    key('streaming.sftpInputDir'),
    streaming.sftpInputDir,
    /^\/\S*$/,
    "use an absolute path like '/incoming'",
  );

  // The cluster's PYSPARK_PYTHON comes from the release's declared Python, so an
  // undeclared release could run the job on an interpreter nobody checked.
  if (emrReleaseRuntime(processing.emrReleaseLabel) === undefined) {
    throw new ConfigError(
      key('processing.emrReleaseLabel'),
      `${JSON.stringify(processing.emrReleaseLabel)} is not an EMR release whose Spark and Python this app declares`,
      `use one of ${SUPPORTED_EMR_RELEASE_LABELS.join(', ')}, or add the release with its Spark version and Python interpreter (from the AWS release pages) to ${AWS_RUNTIMES_FILE}`,
    );
  }
  requireIntegerInRange(key('processing.coreInstanceCount'), processing.coreInstanceCount, 1, 50);
  requireIntegerInRange(key('processing.idleTimeoutMinutes'), processing.idleTimeoutMinutes, 1, 10080);
  validateEmrTlsCertificatesZipKey(config);

  requireIntegerInRange(
    key('analytics.athenaBytesScannedCutoff'),
    analytics.athenaBytesScannedCutoff,
    10 * 1024 * 1024,
    Number.MAX_SAFE_INTEGER,
  );
  requireOneOf(
    key('analytics.glueWorkerType'),
    analytics.glueWorkerType,
    GLUE_WORKER_TYPES,
    'use G.1X, G.2X, G.4X or G.8X',
  );
  requireIntegerInRange(key('analytics.glueNumberOfWorkers'), analytics.glueNumberOfWorkers, 2, 100);

  requireOneOf(
    key('warehouse.kind'),
    warehouse.kind,
    ['serverless', 'provisioned'],
    "use 'serverless' or 'provisioned'",
  );
  if (warehouse.kind === 'serverless' && network.maxAzs < 3) {
    throw new ConfigError(
      key('warehouse.kind'),
      `Redshift Serverless needs subnets in 3 availability zones but network.maxAzs is ${network.maxAzs}`,
      "set network.maxAzs to 3 (and streaming.brokerCount to a multiple of 3) or use warehouse.kind 'provisioned'",
    );
  }
  requireIntegerInRange(key('warehouse.baseCapacityRpu'), warehouse.baseCapacityRpu, 8, 512);
  if (warehouse.baseCapacityRpu % 8 !== 0) {
    throw new ConfigError(
      key('warehouse.baseCapacityRpu'),
      `${warehouse.baseCapacityRpu} is not a multiple of 8`,
      'use 8, 16, 24, ... 512 RPUs',
    );
  }
  requireIntegerInRange(key('warehouse.numberOfNodes'), warehouse.numberOfNodes, 1, 128);
  requirePattern(
    key('warehouse.databaseName'),
    warehouse.databaseName,
    /^[a-z_][a-z0-9_]{0,62}$/,
    'use a lower-case identifier (letters, digits, underscore)',
  );

  requireIntegerInRange(key('orchestration.runIntervalMinutes'), orchestration.runIntervalMinutes, 5, 1440);
  requireOneOf(
    key('orchestration.logRetentionDays'),
    orchestration.logRetentionDays,
    LOG_RETENTION_DAYS,
    `use a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`,
  );
  requireIntegerInRange(
    key('orchestration.maxRunAttempts'),
    orchestration.maxRunAttempts,
    MAX_RUN_ATTEMPTS.min,
    MAX_RUN_ATTEMPTS.max,
    'the attempts at an hour that may fail in a row before it is left for a human; 1 turns automatic retries off',
  );

  if (monitoring.alarmEmail !== undefined) {
    requirePattern(
      key('monitoring.alarmEmail'),
      monitoring.alarmEmail,
      /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
      'use a valid email address for the on-call mailbox',
    );
  } else if (config.stage === 'prod') {
    throw new ConfigError(
      key('monitoring.alarmEmail'),
      'prod has no alarm email, so alarms would reach nobody',
      `set stages.prod.monitoring.alarmEmail in cdk.json or pass -c alarmEmail=oncall@example.com`,
    );
  }
  requireIntegerInRange(
    key('monitoring.maxConsumerLag'),
    monitoring.maxConsumerLag,
    1,
    Number.MAX_SAFE_INTEGER,
  );

  const { liveAlerts } = config;
  requireOneOf(key('liveAlerts.enabled'), liveAlerts.enabled, [true, false], 'use true or false');
  requireIntegerInRange(
    key('liveAlerts.batchingWindowSeconds'),
    liveAlerts.batchingWindowSeconds,
    0,
    300,
    'the seconds the MSK event source gathers records before each invocation',
  );
  // An idle card's history must outlive what the rules look back at, or its next transaction
  // is evaluated without the history the batch would see (contracts/fraud-rules.json).
  const rules = loadFraudRules();
  const minStateTtlHours = Math.ceil((longestWindowSeconds(rules) + rules.outOfOrderToleranceSeconds) / 3600);
  requireIntegerInRange(
    key('liveAlerts.stateTtlHours'),
    liveAlerts.stateTtlHours,
    minStateTtlHours,
    720,
    "the hours an idle card's history is kept: at least the longest fraud-rule window plus the out-of-order tolerance of contracts/fraud-rules.json",
  );
  requireIntegerInRange(
    key('liveAlerts.retryAttempts'),
    liveAlerts.retryAttempts,
    0,
    10,
    'retries of a failed record before it goes to the on-failure queue',
  );

  // Last: which endpoints the clients need depends on warehouse.kind and liveAlerts.enabled.
  validateInterfaceEndpoints(key('network'), config);
}

function requireIntegerInRange(
  key: string,
  value: unknown,
  min: number,
  max: number,
  meaning?: string,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      key,
      `${JSON.stringify(value)} is not a whole number from ${min} to ${max}`,
      `set it to a value from ${min} to ${max}${meaning === undefined ? '' : ` (${meaning})`}`,
    );
  }
}

function requireOneOf<T>(key: string, value: unknown, allowed: readonly T[], fix: string): void {
  if (!allowed.includes(value as T)) {
    throw new ConfigError(key, `${JSON.stringify(value)} is not allowed`, fix);
  }
}

function requirePattern(key: string, value: unknown, pattern: RegExp, fix: string): void {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(key, `${JSON.stringify(value)} is not valid`, fix);
  }
}

/** A VPC CIDR must be a well-formed RFC 1918 block sized /16 to /24. */
function validatePrivateCidr(key: string, cidr: unknown): void {
  const fix = "use a private IPv4 block sized /16 to /24, e.g. '10.40.0.0/16'";
  const match =
    typeof cidr === 'string' ? /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr) : null;
  if (!match) {
    throw new ConfigError(key, `${JSON.stringify(cidr)} is not an IPv4 CIDR`, fix);
  }
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255)) {
    throw new ConfigError(key, `${cidr} has an octet above 255`, fix);
  }
  if (prefix < 16 || prefix > 24) {
    throw new ConfigError(key, `${cidr} has a /${prefix} prefix`, fix);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  if (address % 2 ** hostBits !== 0) {
    throw new ConfigError(key, `${cidr} has host bits set`, `use the network address of the block, ${fix}`);
  }
  const [a, b] = octets;
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (!isPrivate) {
    throw new ConfigError(key, `${cidr} is not a private (RFC 1918) range`, fix);
  }
}
