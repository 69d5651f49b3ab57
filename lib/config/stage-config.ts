/**
 * The typed configuration of one deployment stage (dev, prod, ...).
 *
 * Values come from `cdk.json` context (`stages.<name>`), merged over the
 * defaults in `defaults.ts`, then checked by `validateStageConfig`. Nothing
 * account-specific (ids, secrets, hostnames) lives here: the account and region
 * come from the CLI environment, secrets from Secrets Manager.
 */
export interface StageConfig {
  /** Stage name, used as a prefix for stack and resource names. */
  readonly stage: string;

  /**
   * Allow `cdk destroy` to delete data-bearing resources (buckets, keys, log groups).
   * Only from the context flag `-c allowDestroy=true`, never from the stage file.
   * @default false (everything that holds data is RETAINed)
   */
  readonly allowDestroy: boolean;

  readonly network: NetworkConfig;
  readonly storage: StorageConfig;
  readonly streaming: StreamingConfig;
  readonly processing: ProcessingConfig;
  readonly analytics: AnalyticsConfig;
  readonly warehouse: WarehouseConfig;
  readonly orchestration: OrchestrationConfig;
  readonly monitoring: MonitoringConfig;
  readonly liveAlerts: LiveAlertsConfig;
}

export interface NetworkConfig {
  /**
   * IPv4 CIDR of the VPC, a /16 to /24 private range.
   * @default '10.40.0.0/16'
   */
  readonly vpcCidr: string;
  /**
   * Number of availability zones (2 or 3). MSK broker count must be a multiple of it;
   * Redshift Serverless needs 3.
   * @default 3
   */
  readonly maxAzs: number;
  /**
   * NAT gateways for egress from private subnets (0 = isolated, endpoints only).
   * @default 1 (dev), one per AZ in prod
   */
  readonly natGateways: number;
  /**
   * Days to keep VPC flow logs in CloudWatch Logs.
   * @default 365
   */
  readonly flowLogRetentionDays: number;
  /**
   * The availability zones to build the VPC in: either all zone names
   * (`eu-central-1a`) or all zone IDs (`euc1-az2`), exactly `maxAzs` of them,
   * no duplicates. Zone names map to different physical zones in each account;
   * zone IDs do not, which is why the services that support only some zones
   * document them by ID. MSK and Redshift Serverless each support only some
   * zone IDs per region, so a first deploy should set the IDs both support
   * (the preflight check reads this key and tells which ones they are).
   * With IDs, every subnet is placed with `AvailabilityZoneId`; whatever needs
   * a zone name reads it from the subnet.
   * @default undefined: the first `maxAzs` zones CloudFormation lists for the region (`Fn::GetAZs`)
   */
  readonly availabilityZones?: readonly string[];
  /**
   * Interface VPC endpoints to create, by service name (`kms`, `glue`,
   * `redshift-data`, ...; the list is in interface-endpoints.ts). Each costs an
   * hourly fee per zone, so a stage may keep only the ones its clients call:
   * synth refuses a list that leaves out an endpoint a client inside the VPC
   * needs, naming the client. An API left out is unreachable from the VPC
   * (the security groups egress to the endpoints only).
   * @default undefined: every endpoint a job might call (15)
   */
  readonly interfaceEndpoints?: readonly string[];
  /**
   * Zones that hold an ENI of each interface endpoint (1 to `maxAzs`). Fewer
   * zones cost less; clients in the other zones reach the endpoints across
   * zones, and lose the AWS APIs while that one zone is down.
   * @default undefined: every zone (`maxAzs`)
   */
  readonly endpointAzCount?: number;
}

export interface StorageConfig {
  /**
   * Days before raw-zone objects move to infrequent access.
   * @default 30
   */
  readonly rawInfrequentAccessAfterDays: number;
  /**
   * Days before raw-zone objects move to Glacier.
   * @default 90
   */
  readonly rawGlacierAfterDays: number;
  /**
   * Days quarantined records are kept before expiry (investigate before then).
   * @default 400
   */
  readonly quarantineExpireAfterDays: number;
  /**
   * Days Athena query results are kept.
   * @default 30
   */
  readonly athenaResultsExpireAfterDays: number;
  /**
   * Days server access logs are kept.
   * @default 365
   */
  readonly accessLogsExpireAfterDays: number;
}

export interface StreamingConfig {
  /**
   * Number of MSK broker nodes; must be a multiple of `network.maxAzs`.
   * @default 3
   */
  readonly brokerCount: number;
  /**
   * MSK broker instance type.
   * @default 'kafka.t3.small' (dev), 'kafka.m7g.large' (prod)
   */
  readonly brokerInstanceType: string;
  /**
   * Kafka version of the MSK cluster.
   * @default '3.7.x'
   */
  readonly kafkaVersion: string;
  /**
   * EBS volume per broker in GiB.
   * @default 100
   */
  readonly brokerVolumeGiB: number;
  /**
   * Name of the transactions topic.
   * @default 'bank-transactions' (TRANSACTIONS_TOPIC in connectors/connector-config.ts)
   */
  readonly topicName: string;
  /**
   * Partitions of the transactions topic.
   * @default 6
   */
  readonly topicPartitions: number;
  /**
   * MSK Connect capacity per connector: MCU count per worker (1, 2, 4 or 8).
   * @default 1
   */
  readonly connectMcuCount: number;
  /**
   * MSK Connect workers per connector.
   * @default 1
   */
  readonly connectWorkerCount: number;
  /**
   * Name of the Secrets Manager secret with the log server's SFTP connection
   * (`host`, `port`, `username`, `password` and `knownHosts`). The secret is created empty-valued
   * by the stack when `useTransferFamily` is true; otherwise it must exist.
   * @default '<stage>/bank-pipeline/sftp-log-server'
   */
  readonly sftpSecretName: string;
  /**
   * Directory on the SFTP server where transaction logs are dropped.
   * @default '/transactions/incoming'
   */
  readonly sftpInputDir: string;
  /**
   * Create an AWS Transfer Family SFTP server (VPC endpoint, private) as the log server.
   * @default false
   */
  readonly useTransferFamily: boolean;
}

export interface ProcessingConfig {
  /**
   * EMR release label (7.x, Spark 3.5).
   * @default 'emr-7.5.0'
   */
  readonly emrReleaseLabel: string;
  /**
   * Instance type of the primary node.
   * @default 'm7g.xlarge'
   */
  readonly primaryInstanceType: string;
  /**
   * Instance type of the core nodes.
   * @default 'm7g.xlarge'
   */
  readonly coreInstanceType: string;
  /**
   * Number of core nodes.
   * @default 2
   */
  readonly coreInstanceCount: number;
  /**
   * Idle minutes after which a cluster terminates itself (safety net; clusters are per run).
   * @default 30
   */
  readonly idleTimeoutMinutes: number;
  /**
   * Key, in the artifacts bucket, of the zip of PEM files that turns on EMR
   * in-transit encryption between the cluster nodes (Spark RPC, shuffle, web
   * UIs): privateKey.pem, certificateChain.pem and trustedCertificates.pem,
   * issued by the bank's PKI for `*.<region>.compute.internal` (`*.ec2.internal` in us-east-1). Required in
   * prod, where synth fails without it; other stages synth without it and print
   * a warning (see lib/config/emr-in-transit-encryption.ts for how to make the zip).
   * @default undefined (in-transit encryption between EMR nodes off; not allowed in prod)
   */
  readonly emrTlsCertificatesZipKey?: string;
}

export interface AnalyticsConfig {
  /**
   * Athena per-query bytes-scanned cutoff, in bytes (at least 10 MB).
   * @default 10 GiB (dev), 100 GiB (prod)
   */
  readonly athenaBytesScannedCutoff: number;
  /**
   * Glue job worker type for the warehouse load.
   * @default 'G.1X'
   */
  readonly glueWorkerType: string;
  /**
   * Glue job worker count.
   * @default 2
   */
  readonly glueNumberOfWorkers: number;
}

export type WarehouseKind = 'serverless' | 'provisioned';

export interface WarehouseConfig {
  /**
   * Redshift Serverless (default) or a provisioned cluster.
   * @default 'serverless'
   */
  readonly kind: WarehouseKind;
  /**
   * Base RPU capacity of the serverless workgroup (8 to 512, in steps of 8).
   * @default 8
   */
  readonly baseCapacityRpu: number;
  /**
   * Node type of the provisioned cluster.
   * @default 'ra3.large'
   */
  readonly nodeType: string;
  /**
   * Number of nodes of the provisioned cluster.
   * @default 2
   */
  readonly numberOfNodes: number;
  /**
   * Database name.
   * @default 'bank'
   */
  readonly databaseName: string;
}

export interface OrchestrationConfig {
  /**
   * How often the pipeline checks the raw zone for a closed hour of data and starts a run.
   * @default 60
   */
  readonly runIntervalMinutes: number;
  /**
   * Days to keep Lambda and state-machine logs.
   * @default 90 (dev), 365 (prod)
   */
  readonly logRetentionDays: number;
  /**
   * Attempts at an hour that may fail in a row before start-run stops retrying
   * it and the out-of-attempts alarm fires (a whole number from 1 to 10; 1
   * turns automatic retries off). A human then backfills the hour with the
   * next attempt once the cause is fixed.
   * @default 3
   */
  readonly maxRunAttempts: number;
  /**
   * Reserve Lambda concurrency for the run functions: 1 for `start-run` and 2
   * for each run task (a cap, so a runaway loop cannot take the account's
   * concurrency). Every reservation comes out of the account's unreserved pool,
   * which Lambda never lets fall below its minimum (100 in the Lambda guide; an
   * account still at a new-account quota of 10 reports 10): there, any
   * reservation fails the deploy and rolls the stack back. Runs never overlap
   * either way: start-run takes a lease in the runs ledger before it looks for
   * a run in progress, so two ticks arriving together never both start one.
   * @default false (dev), true (prod, cdk.json)
   */
  readonly reservedConcurrency: boolean;
}

export interface MonitoringConfig {
  /**
   * Email address subscribed to the alarm topic. Required in prod.
   * @default undefined (no subscription)
   */
  readonly alarmEmail?: string;
  /**
   * Consumer lag (records) of the S3 sink above which an alarm fires.
   * @default 100000
   */
  readonly maxConsumerLag: number;
}

/** The live fraud-alert consumer: a Lambda reading the transactions topic through an MSK event source mapping. */
export interface LiveAlertsConfig {
  /**
   * Deploy the live consumer (the alerts stack). Off, the hourly batch still flags fraud in its reports.
   * @default true
   */
  readonly enabled: boolean;
  /**
   * Seconds the event source gathers records before invoking the function (0 to 300): the
   * floor of the alert latency, traded against invocations per second.
   * @default 1
   */
  readonly batchingWindowSeconds: number;
  /**
   * Hours an idle card's recent history is kept (DynamoDB TTL, up to 720); at least the longest
   * fraud-rule window plus the out-of-order tolerance of contracts/fraud-rules.json (synth checks it),
   * or a card idle that long loses history a rule needs.
   * @default 48
   */
  readonly stateTtlHours: number;
  /**
   * Times the event source retries a record the function reported failed (0 to 10) before it
   * goes to the on-failure queue and the partition moves on.
   * @default 5
   */
  readonly retryAttempts: number;
}
