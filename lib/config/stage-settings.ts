import { PROJECT_SLUG, TRANSACTIONS_TOPIC } from '../shared/pipeline-layout';
import { loadFraudRules, longestWindowSeconds } from '../../lambda/live-alerts/fraud-rules';
import { MAX_RUN_ATTEMPTS } from '../../lambda/start-run/start-run';
import { checkAvailabilityZoneCount, checkAvailabilityZoneList } from './availability-zones';
import {
  AWS_RUNTIMES_FILE,
  DEFAULT_EMR_RELEASE_LABEL,
  emrReleaseRuntime,
  MSK_KAFKA_VERSION,
  SUPPORTED_EMR_RELEASE_LABELS,
} from './aws-runtimes';
import { ConfigError } from './config-error';
import { CRAWLER_SCHEDULE } from './crawler-schedule';
import {
  checkEmrTlsCertificatesZipKey,
  requireEmrTlsWhereMandatory,
  STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION,
} from './emr-in-transit-encryption';
import {
  checkEndpointAzCount,
  checkInterfaceEndpointList,
  checkInterfaceEndpointNeeds,
  INTERFACE_ENDPOINT_NAMES,
} from './interface-endpoints';
import { checkPrivateCidr } from './private-cidr';
import {
  type Breach,
  crossKeyRule,
  customKind,
  flag,
  numberChoice,
  optionalSetting,
  pattern,
  requireWholeNumber,
  setting,
  type Setting,
  textChoice,
  wholeNumber,
} from './setting';

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const LOG_RETENTION_FIX = `use a CloudWatch Logs retention: ${LOG_RETENTION_DAYS.join(', ')}`;
/** Zone counts the VPC supports: MSK needs brokers in at least 2, Redshift Serverless subnets in 3. */
const ZONE_COUNTS = [2, 3];
/** Stages whose alarms must reach someone: synth fails without an alarm email. */
const STAGES_REQUIRING_ALARM_EMAIL: readonly string[] = ['prod'];

// An idle card's history must outlive what the rules look back at, or its next transaction
// is evaluated without the history the batch would see (contracts/fraud-rules.json).
const FRAUD_RULES = loadFraudRules();
const MIN_STATE_TTL_HOURS = Math.ceil(
  (longestWindowSeconds(FRAUD_RULES) + FRAUD_RULES.outOfOrderToleranceSeconds) / 3600,
);

/** The longest an S3 lifecycle rule of a zone may wait, in days (ten years). */
const MAX_LIFECYCLE_DAYS = 3650;
/** Days until S3 deletes a zone's objects: 1 to MAX_LIFECYCLE_DAYS, `days` by default. */
const expiry = (days: number, meaning: string): Setting<number> =>
  setting(wholeNumber(1, MAX_LIFECYCLE_DAYS), { default: days, meaning });

const GIB = 1024 ** 3;
const EMR_INSTANCE_TYPE = pattern(
  /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
  'an EC2 instance type, `<family>.<size>`',
  "use an EC2 instance type EMR offers, such as 'm7g.xlarge'",
);

/**
 * Every stage setting, one entry per key: its type, default, rule and meaning.
 * The stage config's type (stage-config.ts), the defaults (defaults.ts), the
 * checks (validate-stage-config.ts) and the README's settings table
 * (`make config-docs`) all come from here; add a setting here and nowhere else.
 *
 * One default per key, the same for every stage. What a stage does
 * differently (dev's cost savings, prod's sizes and on-call mailbox) is an
 * override in cdk.json `context.stages.<name>`, and only there: a stage is
 * then read in one place, a new stage (staging, a second region) starts from
 * these defaults and not from another stage's, and a test fails when
 * cdk.json repeats a default. The defaults are what a new stage should get
 * without thinking: every endpoint in every zone, one NAT gateway, the live
 * consumer on, sizes for a small account. Rules that depend on the stage name
 * (prod must have an alarm email and EMR certificates) are cross-key rules,
 * not defaults.
 */
export const STAGE_SETTINGS = {
  network: {
    vpcCidr: setting(
      customKind<string>('string', 'private (RFC 1918) IPv4 block, /16 to /24', checkPrivateCidr),
      {
        default: '10.40.0.0/16',
        meaning: "IPv4 block of the VPC; give each stage its own, so that stages' networks never overlap",
      },
    ),
    maxAzs: setting(numberChoice(ZONE_COUNTS, 'use 2 or 3 availability zones'), {
      default: 3,
      meaning: 'Availability zones the VPC spans (Redshift Serverless needs 3)',
    }),
    natGateways: setting(wholeNumber(0, Math.max(...ZONE_COUNTS)), {
      default: 1,
      meaning: 'NAT gateways for egress from the private subnets to the internet',
      tradeOff:
        'each bills by the hour (`make cost`); 0 leaves the SFTP source only a log server in the VPC or one over private connectivity (synth warns); one per zone keeps egress while a zone is down',
      crossKeyRule: {
        text: 'at most `network.maxAzs`',
        check: (key, value, config) => requireWholeNumber(key, value, 0, config.network.maxAzs),
      },
    }),
    flowLogRetentionDays: setting(numberChoice(LOG_RETENTION_DAYS, LOG_RETENTION_FIX), {
      default: 365,
      meaning: 'Days to keep VPC flow logs in CloudWatch Logs',
    }),
    availabilityZones: optionalSetting(
      customKind<readonly string[]>(
        'list',
        'zone IDs (`euc1-az2`) or zone names (`eu-central-1a`), not both, none twice',
        checkAvailabilityZoneList,
      ),
      {
        unset: 'the first `maxAzs` zones the region lists (`Fn::GetAZs`), which a service may refuse',
        meaning:
          'Zones to build the VPC in; before a first deploy, the zone IDs both MSK and Redshift Serverless support (`make preflight` names them)',
        display: (zones) => zones.join(', '),
        crossKeyRule: {
          text: 'exactly `network.maxAzs` of them',
          check: (key, zones, config) => {
            if (zones !== undefined) checkAvailabilityZoneCount(key, zones, config.network.maxAzs);
          },
        },
      },
    ),
    interfaceEndpoints: optionalSetting(
      customKind<readonly string[]>(
        'list',
        'endpoint names from lib/config/interface-endpoints.ts, each once',
        checkInterfaceEndpointList,
      ),
      {
        // Every known endpoint but the API of the warehouse kind the stage does not use (defaultInterfaceEndpoints).
        unset: `every endpoint a job might call (${INTERFACE_ENDPOINT_NAMES.length - 1})`,
        meaning: 'Interface VPC endpoints to create, by service name (`kms`, `glue`, `redshift-data`, ...)',
        tradeOff:
          'each bills hourly per zone; a list keeps only what the clients in the VPC call, and a new client calling another API needs its endpoint added first',
        display: (names) => `${names.length} listed`,
        crossKeyRule: {
          text: 'every endpoint a client in the VPC needs',
          check: (key, listed, config) => {
            if (listed !== undefined) checkInterfaceEndpointNeeds(key, listed, config);
          },
        },
      },
    ),
    endpointAzCount: optionalSetting(
      // Its range depends on network.maxAzs, so the cross-key rule checks it whole.
      customKind<number>('number', 'whole number', () => undefined),
      {
        unset: 'every zone (`maxAzs`)',
        meaning: 'Zones that hold an ENI of each interface endpoint',
        tradeOff:
          'fewer zones bill less; clients in the other zones reach the endpoints across zones, and lose the AWS APIs while that zone is down',
        crossKeyRule: {
          text: '1 to `network.maxAzs`',
          check: (key, value, config) => checkEndpointAzCount(key, value, config.network.maxAzs),
        },
      },
    ),
  },
  storage: {
    rawInfrequentAccessAfterDays: setting(wholeNumber(30, MAX_LIFECYCLE_DAYS), {
      default: 30,
      meaning: 'Days before raw-zone objects move to S3 Standard-IA',
    }),
    rawGlacierAfterDays: setting(wholeNumber(1, MAX_LIFECYCLE_DAYS), {
      default: 90,
      meaning: 'Days before raw-zone objects move to Glacier',
      crossKeyRule: crossKeyRule('after `rawInfrequentAccessAfterDays`', (value, { storage }): Breach =>
        value > storage.rawInfrequentAccessAfterDays
          ? undefined
          : [
              `${value} is not after rawInfrequentAccessAfterDays (${storage.rawInfrequentAccessAfterDays})`,
              'set rawGlacierAfterDays greater than rawInfrequentAccessAfterDays',
            ],
      ),
    }),
    quarantineExpireAfterDays: expiry(400, 'Days quarantined records are kept (investigate before then)'),
    athenaResultsExpireAfterDays: expiry(30, 'Days Athena query results are kept'),
    accessLogsExpireAfterDays: expiry(365, 'Days S3 server access logs are kept'),
  },
  streaming: {
    brokerCount: setting(wholeNumber(2, 30), {
      default: 3,
      meaning: 'MSK broker nodes',
      crossKeyRule: crossKeyRule(
        'a multiple of `network.maxAzs`',
        (value, { network: { maxAzs } }): Breach =>
          value % maxAzs === 0
            ? undefined
            : [
                `${value} brokers cannot be spread evenly over ${maxAzs} availability zones`,
                `use a multiple of network.maxAzs (${maxAzs}), e.g. ${maxAzs} or ${maxAzs * 2}`,
              ],
      ),
    }),
    brokerInstanceType: setting(
      pattern(
        /^kafka\.[a-z0-9]+\.[a-z0-9]+$/,
        'an MSK broker type, `kafka.<family>.<size>`',
        "use an MSK broker type such as 'kafka.m7g.large'",
      ),
      { default: 'kafka.t3.small', meaning: 'MSK broker instance type' },
    ),
    kafkaVersion: setting(
      pattern(
        /^3\.\d+\.(\d+|x)$/,
        'an MSK Kafka 3.x version',
        `use an MSK Kafka 3.x version such as '${MSK_KAFKA_VERSION}' (MSK Connect plugins are built for Connect 3.x)`,
      ),
      {
        default: MSK_KAFKA_VERSION,
        meaning: `Kafka version of the MSK cluster (default from ${AWS_RUNTIMES_FILE})`,
      },
    ),
    brokerVolumeGiB: setting(wholeNumber(10, 16384), {
      default: 100,
      meaning: 'EBS volume per broker, GiB',
      tradeOff: 'billed per GiB-month; 10 GiB holds a few days of test traffic, not a backlog',
    }),
    topicName: setting(
      pattern(
        /^[a-zA-Z0-9._-]{1,249}$/,
        'a Kafka topic name: letters, digits, `.`, `_`, `-`',
        'use letters, digits, dots, underscores and dashes (Kafka topic name rules)',
      ),
      {
        default: TRANSACTIONS_TOPIC,
        meaning: 'Transactions topic (default: the one the local twin uses, connectors/connector-config.ts)',
      },
    ),
    topicPartitions: setting(wholeNumber(1, 1000), {
      default: 6,
      meaning: 'Partitions of the transactions topic',
    }),
    connectMcuCount: setting(numberChoice([1, 2, 4, 8], 'use 1, 2, 4 or 8'), {
      default: 1,
      meaning: 'MSK Connect MCUs per worker, per connector',
    }),
    connectWorkerCount: setting(wholeNumber(1, 10), {
      default: 1,
      meaning: 'MSK Connect workers per connector',
    }),
    sftpSecretName: setting(
      pattern(
        /^[a-zA-Z0-9/_+=.@-]{1,512}$/,
        'a Secrets Manager secret name',
        'use a Secrets Manager secret name (letters, digits and /_+=.@-)',
      ),
      {
        default: (stage) => `${stage}/${PROJECT_SLUG}/sftp-log-server`,
        meaning:
          "Secret with the log server's SFTP connection (`host`, `port`, `username`, `password`, `knownHosts`); the stack creates it with `useTransferFamily`, otherwise it must exist",
      },
    ),
    sftpInputDir: setting(pattern(/^\/\S*$/, 'an absolute path', "use an absolute path like '/incoming'"), {
      default: '/transactions/incoming',
      meaning: 'Directory on the SFTP server where transaction logs are dropped',
    }),
    useTransferFamily: setting(flag, {
      default: false,
      meaning: 'Create an AWS Transfer Family SFTP server (private, in the VPC) as the log server',
      tradeOff: 'bills by the hour, and is reachable from a stage without NAT gateways',
    }),
  },
  processing: {
    emrReleaseLabel: setting(
      customKind<string>(
        'string',
        `a release declared in ${AWS_RUNTIMES_FILE}: ${SUPPORTED_EMR_RELEASE_LABELS.join(', ')}`,
        // The cluster's PYSPARK_PYTHON comes from the release's declared Python, so an
        // undeclared release could run the job on an interpreter nobody checked.
        (key, value) => {
          if (typeof value !== 'string' || emrReleaseRuntime(value) === undefined) {
            throw new ConfigError(
              key,
              `${JSON.stringify(value)} is not an EMR release whose Spark and Python this app declares`,
              `use one of ${SUPPORTED_EMR_RELEASE_LABELS.join(', ')}, or add the release with its Spark version and Python interpreter (from the AWS release pages) to ${AWS_RUNTIMES_FILE}`,
            );
          }
        },
      ),
      { default: DEFAULT_EMR_RELEASE_LABEL, meaning: 'EMR release of the per-run cluster (7.x, Spark 3.5)' },
    ),
    primaryInstanceType: setting(EMR_INSTANCE_TYPE, {
      default: 'm7g.xlarge',
      meaning: 'Instance type of the EMR primary node',
    }),
    coreInstanceType: setting(EMR_INSTANCE_TYPE, {
      default: 'm7g.xlarge',
      meaning: 'Instance type of the EMR core nodes',
    }),
    coreInstanceCount: setting(wholeNumber(1, 50), {
      default: 2,
      meaning: 'EMR core nodes',
      tradeOff: 'with the instance types, sets the price and the speed of each run',
    }),
    idleTimeoutMinutes: setting(wholeNumber(1, 10080), {
      default: 30,
      meaning: 'Idle minutes after which a cluster terminates itself (a safety net: clusters are per run)',
    }),
    emrTlsCertificatesZipKey: optionalSetting(
      customKind<string>('string', 'an S3 key ending in `.zip`', checkEmrTlsCertificatesZipKey),
      {
        unset: 'encryption between EMR nodes off, with a warning at synth',
        meaning:
          'Key, in the artifacts bucket, of the zip of PEM files that turns on EMR in-transit encryption between the cluster nodes (how to make it: lib/config/emr-in-transit-encryption.ts)',
        crossKeyRule: {
          text: `required in ${STAGES_REQUIRING_EMR_IN_TRANSIT_ENCRYPTION.join(', ')}`,
          check: (key, value, config) => requireEmrTlsWhereMandatory(key, value, config.stage),
        },
      },
    ),
  },
  analytics: {
    athenaBytesScannedCutoff: setting(wholeNumber(10 * 1024 * 1024, Number.MAX_SAFE_INTEGER), {
      default: 10 * GIB,
      meaning: 'Athena per-query bytes-scanned cutoff, in bytes',
      display: (bytes) => `${bytes / GIB} GiB`,
    }),
    glueWorkerType: setting(textChoice(['G.1X', 'G.2X', 'G.4X', 'G.8X'], 'use G.1X, G.2X, G.4X or G.8X'), {
      default: 'G.1X',
      meaning: 'Glue worker type of the warehouse load job',
    }),
    glueNumberOfWorkers: setting(wholeNumber(2, 100), {
      default: 2,
      meaning: 'Glue workers of the warehouse load job',
    }),
    crawlNewFoldersOnly: setting(flag, {
      default: false,
      meaning:
        "The processed-zone crawler reads only folders added since its last crawl (Glue's CRAWL_NEW_FOLDERS_ONLY)",
      tradeOff:
        'Glue then only logs schema changes: a changed report or transaction schema reaches the catalog only after a full crawl (set it false, or run the crawler once with CRAWL_EVERYTHING)',
    }),
    crawlerSchedule: optionalSetting(
      pattern(
        CRAWLER_SCHEDULE,
        'a daily Glue cron, `cron(M H * * ? *)` (H may be a list, range or step)',
        "use e.g. 'cron(15 2 * * ? *)' (02:15 UTC daily): one minute, fixed hours, every day",
      ),
      {
        unset: 'the run starts the processed crawler after each hourly run',
        meaning: 'When the processed-zone crawler runs instead of after each run',
        tradeOff:
          'a new txn_date partition or report table reaches Athena at the next scheduled crawl, not with its run; new files in existing partitions are seen at once',
      },
    ),
  },
  warehouse: {
    kind: setting(textChoice(['serverless', 'provisioned'], "use 'serverless' or 'provisioned'"), {
      default: 'serverless',
      meaning: 'Redshift Serverless, or a provisioned cluster',
      crossKeyRule: crossKeyRule(
        '`serverless` needs `network.maxAzs` 3',
        (kind, { network: { maxAzs } }): Breach =>
          kind === 'serverless' && maxAzs < 3
            ? [
                `Redshift Serverless needs subnets in 3 availability zones but network.maxAzs is ${maxAzs}`,
                "set network.maxAzs to 3 (and streaming.brokerCount to a multiple of 3) or use warehouse.kind 'provisioned'",
              ]
            : undefined,
      ),
    }),
    baseCapacityRpu: setting(wholeNumber(8, 512, { step: 8, unit: 'RPUs' }), {
      default: 8,
      meaning: 'Base RPU capacity of the serverless workgroup',
      tradeOff: 'sets the price of the compute each run uses',
    }),
    nodeType: setting(
      pattern(
        /^[a-z0-9]+\.[a-z0-9]+$/,
        'a Redshift node type, `<family>.<size>`',
        "use a Redshift node type such as 'ra3.large'",
      ),
      { default: 'ra3.large', meaning: 'Node type of the provisioned cluster' },
    ),
    numberOfNodes: setting(wholeNumber(1, 128), {
      default: 2,
      meaning: 'Nodes of the provisioned cluster',
    }),
    databaseName: setting(
      pattern(
        /^[a-z_][a-z0-9_]{0,62}$/,
        'a lower-case identifier, up to 63 characters',
        'use a lower-case identifier (letters, digits, underscore)',
      ),
      { default: 'bank', meaning: 'Warehouse database' },
    ),
  },
  orchestration: {
    runIntervalMinutes: setting(wholeNumber(5, 1440), {
      default: 60,
      meaning: 'Minutes between checks of the raw zone for a closed hour of data to run',
    }),
    logRetentionDays: setting(numberChoice(LOG_RETENTION_DAYS, LOG_RETENTION_FIX), {
      default: 90,
      meaning: 'Days to keep Lambda and state-machine logs',
    }),
    maxRunAttempts: setting(
      wholeNumber(MAX_RUN_ATTEMPTS.min, MAX_RUN_ATTEMPTS.max, {
        purpose:
          'the attempts at an hour that may fail in a row before it is left for a human; 1 turns automatic retries off',
      }),
      {
        default: 3,
        meaning:
          'Failed attempts at an hour in a row before start-run stops retrying it and the out-of-attempts alarm fires (1: no automatic retries)',
      },
    ),
    reservedConcurrency: setting(flag, {
      default: false,
      meaning: 'Reserve Lambda concurrency for the run functions (1 for start-run, 2 for each run task)',
      tradeOff:
        "caps a runaway loop, but every reservation comes out of the account's unreserved pool: in an account still at a new-account quota any reservation fails the deploy",
    }),
  },
  monitoring: {
    alarmEmail: optionalSetting(
      pattern(
        /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
        'an email address',
        'use a valid email address for the on-call mailbox',
      ),
      {
        unset: 'no subscription',
        meaning: 'On-call mailbox subscribed to the alarm topic (also `-c alarmEmail=...`)',
        crossKeyRule: crossKeyRule(
          `required in ${STAGES_REQUIRING_ALARM_EMAIL.join(', ')}`,
          (email, { stage }): Breach =>
            email === undefined && STAGES_REQUIRING_ALARM_EMAIL.includes(stage)
              ? [
                  `${stage} has no alarm email, so alarms would reach nobody`,
                  `set stages.${stage}.monitoring.alarmEmail in cdk.json or pass -c alarmEmail=oncall@example.com`,
                ]
              : undefined,
        ),
      },
    ),
    maxConsumerLag: setting(wholeNumber(1, Number.MAX_SAFE_INTEGER), {
      default: 100_000,
      meaning: 'Consumer lag (records) of the S3 sink above which an alarm fires',
    }),
  },
  liveAlerts: {
    enabled: setting(flag, {
      default: true,
      meaning: 'Deploy the live fraud-alert consumer (the alerts stack)',
      tradeOff:
        'off, the hourly batch still flags fraud in its reports, and the stage needs no SNS and STS endpoints',
    }),
    batchingWindowSeconds: setting(
      wholeNumber(0, 300, {
        purpose: 'the seconds the MSK event source gathers records before each invocation',
      }),
      {
        default: 1,
        meaning: 'Seconds the event source gathers records before invoking the function',
        tradeOff: 'the floor of the alert latency, against invocations per second',
      },
    ),
    stateTtlHours: setting(
      wholeNumber(MIN_STATE_TTL_HOURS, 720, {
        purpose:
          "the hours an idle card's history is kept: at least the longest fraud-rule window plus the out-of-order tolerance of contracts/fraud-rules.json",
      }),
      {
        default: 48,
        meaning:
          "Hours an idle card's recent history is kept (DynamoDB TTL); the minimum is the longest fraud-rule window plus the out-of-order tolerance",
      },
    ),
    retryAttempts: setting(
      wholeNumber(0, 10, { purpose: 'retries of a failed record before it goes to the on-failure queue' }),
      {
        default: 5,
        meaning: 'Retries of a record the function reported failed, before the on-failure queue',
      },
    ),
  },
};

/** The schema's shape, from which the stage config's type is derived. */
export type StageSettingsSchema = typeof STAGE_SETTINGS;
