/**
 * Single source of truth for the Kafka Connect side of the pipeline: plugin metadata, connector
 * configurations and worker properties. The CDK app feeds these records to MSK Connect
 * (CfnConnector.connectorConfiguration, CfnWorkerConfiguration) and connectors/render-local.ts
 * renders the very same records for the local Kafka Connect 3.9 worker.
 *
 * Secrets never appear here: every credential is a config-provider reference such as
 * ${secretsmanager:<url-encoded ARN>:password} that the worker resolves at run time.
 */
import { createHash } from 'node:crypto';
import {
  PROJECT_SLUG,
  RAW_HOUR_PARTITION,
  RAW_TRANSACTIONS_PREFIX,
  SINK_WATERMARK_FOLDER,
  TRANSACTIONS_TOPIC,
} from '../lib/shared/pipeline-layout';

/**
 * The topic the SFTP source writes one record per transaction line to, and the S3 sink reads
 * (contracts/pipeline-layout.json).
 */
export { TRANSACTIONS_TOPIC };

/** Java package of both plugins: `io.<slug>.connect` (the Maven groupId is `io.<slug>`). */
const JAVA_PACKAGE = `io.${PROJECT_SLUG}.connect`;

/** Version of both plugin builds; equals <version> in connectors/pom.xml (a test checks it). */
export const PLUGIN_VERSION = '0.1.0';

export interface ConnectorPlugin {
  /** Folder and zip base name. */
  readonly name: string;
  readonly version: string;
  /** File name of the MSK Connect custom-plugin zip in connectors/dist/. */
  readonly zipFileName: string;
  readonly connectorClass: string;
  readonly description: string;
}

export const SFTP_SOURCE_PLUGIN: ConnectorPlugin = {
  name: 'sftp-jsonl-source',
  version: PLUGIN_VERSION,
  zipFileName: `sftp-jsonl-source-${PLUGIN_VERSION}.zip`,
  connectorClass: `${JAVA_PACKAGE}.sftp.SftpJsonLinesSourceConnector`,
  description: 'Reads JSON-lines files from an SFTP directory, one Kafka record per line.',
};

export const S3_SINK_PLUGIN: ConnectorPlugin = {
  name: 's3-jsonl-sink',
  version: PLUGIN_VERSION,
  zipFileName: `s3-jsonl-sink-${PLUGIN_VERSION}.zip`,
  connectorClass: `${JAVA_PACKAGE}.s3.S3JsonLinesSinkConnector`,
  description: 'Writes record values unchanged as JSON lines to hour-partitioned S3 objects (raw zone).',
};

/** Bundled in the SFTP source zip: resolves ${secretsmanager:...} references on MSK Connect. */
export const SECRETS_MANAGER_CONFIG_PROVIDER_CLASS = `${JAVA_PACKAGE}.config.SecretsManagerConfigProvider`;

const STRING_CONVERTER = 'org.apache.kafka.connect.storage.StringConverter';

export type ConnectorKind = 'sftp-source' | 's3-sink';

// ---------------------------------------------------------------------------------------------
// Config-provider references (how secrets enter a configuration without their values)
// ---------------------------------------------------------------------------------------------

/** A `${provider:path:key}` placeholder that the Connect worker resolves through a config provider. */
export interface ConfigProviderReference {
  /** Alias of the provider in the worker's `config.providers` list, e.g. secretsmanager, env, dir. */
  readonly provider: string;
  /** Provider-specific location (secret id, directory, file); absent for the env provider. */
  readonly path?: string;
  readonly key: string;
}

/**
 * A key of a JSON secret in AWS Secrets Manager. The ARN is URL-encoded because Kafka splits the
 * placeholder on ':'; the bundled provider decodes it.
 */
export function secretsManagerReference(secretArnOrName: string, jsonKey: string): ConfigProviderReference {
  requireText(secretArnOrName, 'secretArnOrName', 'the secret ARN or name');
  requireText(jsonKey, 'jsonKey', 'the key inside the secret JSON, e.g. password');
  return { provider: 'secretsmanager', path: encodeURIComponent(secretArnOrName), key: jsonKey };
}

/** An environment variable of the worker process (Kafka's EnvVarConfigProvider, alias `env`). */
export function envReference(variable: string): ConfigProviderReference {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw new Error(`envReference: '${variable}' is not an environment variable name (letters, digits, _).`);
  }
  return { provider: 'env', key: variable };
}

/** The content of one file in a directory (Kafka's DirectoryConfigProvider, alias `dir` by default). */
export function directoryFileReference(
  directory: string,
  fileName: string,
  provider = 'dir',
): ConfigProviderReference {
  requireText(directory, 'directory', 'an absolute directory');
  requireText(fileName, 'fileName', 'a file name inside the directory');
  return { provider, path: directory, key: fileName };
}

/** Renders a reference as the placeholder text Connect understands. */
export function renderReference(reference: ConfigProviderReference): string {
  const { provider, path, key } = reference;
  if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(provider)) {
    throw new Error(`Config provider alias '${provider}' is invalid: use letters, digits, '.', '_' or '-'.`);
  }
  for (const [what, value] of [
    ['path', path ?? ''],
    ['key', key],
  ] as const) {
    if (/[{}]/.test(value) || (what === 'key' && (value.length === 0 || value.includes(':')))) {
      throw new Error(
        `Config provider reference ${what} '${value}' cannot contain '{', '}'${what === 'key' ? " or ':' and must not be empty" : ''}.`,
      );
    }
  }
  return path === undefined ? `\${${provider}:${key}}` : `\${${provider}:${path}:${key}}`;
}

// ---------------------------------------------------------------------------------------------
// SFTP source
// ---------------------------------------------------------------------------------------------

export type SftpAuthentication =
  | { readonly method: 'password'; readonly password: ConfigProviderReference }
  | {
      readonly method: 'private-key';
      /** OpenSSH or PEM private key text. */
      readonly privateKey: ConfigProviderReference;
      readonly passphrase?: ConfigProviderReference;
    };

/**
 * Keys of the SFTP connection secret (one JSON object in Secrets Manager) that the source's
 * configuration references (streaming stack); the config provider fails the connector at start when
 * one is missing, so `make preflight` checks them before a deploy.
 */
export const SFTP_SECRET_KEYS = {
  host: 'host',
  port: 'port',
  username: 'username',
  password: 'password',
  privateKey: 'privateKey',
  knownHosts: 'knownHosts',
} as const;

/** The secret keys the source reads for a login method, in the order an operator writes them. */
export function requiredSftpSecretKeys(method: SftpAuthentication['method']): readonly string[] {
  const { host, port, username, password, privateKey, knownHosts } = SFTP_SECRET_KEYS;
  return [host, port, username, method === 'password' ? password : privateKey, knownHosts];
}

export type HostKeyVerification =
  /** `ssh-keygen -lf` fingerprints, e.g. SHA256:nThbg6kX...; several allow a key rotation. */
  | { readonly mode: 'fingerprints'; readonly sha256Fingerprints: readonly string[] }
  /** known_hosts lines, e.g. the output of `ssh-keyscan -p <port> <host>`. */
  | { readonly mode: 'known-hosts'; readonly knownHosts: string }
  /** Throw-away test servers only: allows man-in-the-middle attacks. A reason is mandatory. */
  | { readonly mode: 'insecure-skip'; readonly reason: string };

export interface SftpSourceParams {
  readonly host: string;
  /** @default 22 */
  readonly port?: number;
  /** Plain user name, or a reference when it lives in the same secret as the password. */
  readonly username: string | ConfigProviderReference;
  readonly authentication: SftpAuthentication;
  readonly hostKey: HostKeyVerification;
  /** Absolute directory on the server with the JSON-lines files. */
  readonly inputDir: string;
  /** Where finished files go when finishedFileAction is 'move'. @default `${inputDir}/processed` */
  readonly processedDir?: string;
  /** @default 'move' */
  readonly finishedFileAction?: 'move' | 'delete' | 'leave';
  /** Java regex a file name must match in full. @default '.*\\.jsonl?$' */
  readonly fileNamePattern?: string;
  /** A file is read once its mtime is this old. @default 10000 */
  readonly minFileAgeMs?: number;
  /** @default 5000 */
  readonly pollIntervalMs?: number;
  /** @default 1000 */
  readonly batchSize?: number;
  /** @default 'none' */
  readonly recordKey?: 'none' | 'file_name';
  /** @default TRANSACTIONS_TOPIC */
  readonly topic?: string;
  /** Files are split between tasks by name hash. @default 1 */
  readonly tasksMax?: number;
}

export function sftpSourceConnectorConfig(p: SftpSourceParams): Record<string, string> {
  requireText(p.host, 'host', 'the SFTP server host name');
  requireAbsolute(p.inputDir, 'inputDir');
  const port = p.port ?? 22;
  requireInteger(port, 'port', 1, 65535);
  const action = p.finishedFileAction ?? 'move';
  const processedDir = p.processedDir ?? `${p.inputDir.replace(/\/+$/, '')}/processed`;
  if (action === 'move') {
    requireAbsolute(processedDir, 'processedDir');
  }
  const config: Record<string, string> = {
    'connector.class': SFTP_SOURCE_PLUGIN.connectorClass,
    'tasks.max': String(positiveInteger(p.tasksMax ?? 1, 'tasksMax')),
    topic: p.topic ?? TRANSACTIONS_TOPIC,
    'key.converter': STRING_CONVERTER,
    'value.converter': STRING_CONVERTER,
    'sftp.host': p.host,
    'sftp.port': String(port),
    'sftp.username':
      typeof p.username === 'string'
        ? requireText(p.username, 'username', 'the login name')
        : renderReference(p.username),
    'input.dir': p.inputDir,
    'input.file.pattern': p.fileNamePattern ?? '.*\\.jsonl?$',
    'input.file.min.age.ms': String(nonNegativeInteger(p.minFileAgeMs ?? 10_000, 'minFileAgeMs')),
    'finished.file.action': action,
    'poll.interval.ms': String(positiveInteger(p.pollIntervalMs ?? 5_000, 'pollIntervalMs')),
    'batch.size': String(positiveInteger(p.batchSize ?? 1_000, 'batchSize')),
    'record.key': p.recordKey ?? 'none',
  };
  if (action === 'move') {
    config['processed.dir'] = processedDir;
  }
  if (p.authentication.method === 'password') {
    config['sftp.password'] = renderReference(p.authentication.password);
  } else {
    config['sftp.private.key'] = renderReference(p.authentication.privateKey);
    if (p.authentication.passphrase) {
      config['sftp.private.key.passphrase'] = renderReference(p.authentication.passphrase);
    }
  }
  switch (p.hostKey.mode) {
    case 'fingerprints': {
      const bad = p.hostKey.sha256Fingerprints.filter((f) => !/^SHA256:[A-Za-z0-9+/]{43}$/.test(f));
      if (p.hostKey.sha256Fingerprints.length === 0 || bad.length > 0) {
        throw new Error(
          `hostKey.sha256Fingerprints must list fingerprints like SHA256:<43 base64 chars> ` +
            `(output of \`ssh-keygen -lf <host key>.pub\`); got ${JSON.stringify(p.hostKey.sha256Fingerprints)}.`,
        );
      }
      config['sftp.host.key.fingerprint'] = p.hostKey.sha256Fingerprints.join(',');
      break;
    }
    case 'known-hosts':
      requireText(p.hostKey.knownHosts, 'hostKey.knownHosts', 'known_hosts lines (ssh-keyscan output)');
      config['sftp.known.hosts'] = p.hostKey.knownHosts.trim();
      break;
    case 'insecure-skip':
      requireText(p.hostKey.reason, 'hostKey.reason', 'why host key checking may be skipped here');
      config['sftp.strict.host.key.checking'] = 'false';
      break;
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// S3 sink
// ---------------------------------------------------------------------------------------------

export type S3Credentials =
  /** AWS: the connector's service execution role through the default credential chain. */
  | { readonly mode: 'iam-role' }
  /** Local S3 server only: static keys, given as references (e.g. envReference). */
  | {
      readonly mode: 'static-keys';
      readonly accessKeyId: ConfigProviderReference;
      readonly secretAccessKey: ConfigProviderReference;
    };

export type S3Encryption =
  { readonly algorithm: 'AES256' } | { readonly algorithm: 'aws:kms'; readonly kmsKeyId?: string };

export interface S3SinkParams {
  readonly bucketName: string;
  readonly region: string;
  /** Key prefix of the hour folders. @default RAW_TRANSACTIONS_PREFIX (contracts/pipeline-layout.json) */
  readonly prefix?: string;
  readonly credentials: S3Credentials;
  /** Local S3-compatible server, e.g. { url: 'http://127.0.0.1:9000', pathStyleAccess: true }. */
  readonly endpoint?: { readonly url: string; readonly pathStyleAccess?: boolean };
  /** Per-object SSE header. @default none: the bucket's default encryption applies */
  readonly encryption?: S3Encryption;
  /** @default 'none' (keys end in .jsonl); 'gzip' gives .jsonl.gz */
  readonly compression?: 'none' | 'gzip';
  /** @default 10000 */
  readonly maxRecordsPerObject?: number;
  /** @default 33554432 (32 MiB) */
  readonly maxBytesPerObject?: number;
  /** An object is written at the latest this long after its first record. @default 300000 */
  readonly rotateIntervalMs?: number;
  /** Clock for the hour folder: record timestamp (replay-stable) or processing time. @default 'record' */
  readonly timestampSource?: 'record' | 'wallclock';
  /** @default TRANSACTIONS_TOPIC */
  readonly topic?: string;
  /** At most the topic's partition count is useful. @default 1 */
  readonly tasksMax?: number;
}

export function s3SinkConnectorConfig(p: S3SinkParams): Record<string, string> {
  requireText(p.bucketName, 'bucketName', 'the raw-zone bucket name');
  requireText(p.region, 'region', 'the bucket region, e.g. eu-central-1');
  const prefix = p.prefix ?? RAW_TRANSACTIONS_PREFIX;
  if (prefix.startsWith('/') || (prefix !== '' && !prefix.endsWith('/'))) {
    throw new Error(
      `prefix '${prefix}' must be empty or like '${RAW_TRANSACTIONS_PREFIX}' (no leading '/', trailing '/').`,
    );
  }
  const config: Record<string, string> = {
    'connector.class': S3_SINK_PLUGIN.connectorClass,
    'tasks.max': String(positiveInteger(p.tasksMax ?? 1, 'tasksMax')),
    topics: p.topic ?? TRANSACTIONS_TOPIC,
    'key.converter': STRING_CONVERTER,
    // Raw strings in, raw lines out: the original transaction JSON, byte for byte.
    'value.converter': STRING_CONVERTER,
    'aws.s3.bucket.name': p.bucketName,
    'aws.s3.region': p.region,
    'aws.s3.prefix': prefix,
    // The hour folders and the watermark folder of the raw zone (contracts/pipeline-layout.json).
    'aws.s3.hour.folder.pattern': RAW_HOUR_PARTITION,
    'aws.s3.watermark.folder': SINK_WATERMARK_FOLDER,
    'file.compression.type': p.compression ?? 'none',
    'file.max.records': String(positiveInteger(p.maxRecordsPerObject ?? 10_000, 'maxRecordsPerObject')),
    'file.max.bytes': String(positiveInteger(p.maxBytesPerObject ?? 32 * 1024 * 1024, 'maxBytesPerObject')),
    'file.rotate.interval.ms': String(positiveInteger(p.rotateIntervalMs ?? 300_000, 'rotateIntervalMs')),
    'timestamp.source': p.timestampSource ?? 'record',
  };
  if (p.endpoint) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(p.endpoint.url)) {
      throw new Error(`endpoint.url '${p.endpoint.url}' must look like http://127.0.0.1:9000.`);
    }
    config['aws.s3.endpoint'] = p.endpoint.url;
    config['aws.s3.path.style.access.enabled'] = String(p.endpoint.pathStyleAccess ?? true);
  }
  if (p.credentials.mode === 'static-keys') {
    config['aws.access.key.id'] = renderReference(p.credentials.accessKeyId);
    config['aws.secret.access.key'] = renderReference(p.credentials.secretAccessKey);
  }
  if (p.encryption) {
    config['aws.s3.sse.algorithm'] = p.encryption.algorithm;
    if (p.encryption.algorithm === 'aws:kms' && p.encryption.kmsKeyId) {
      config['aws.s3.sse.kms.key.id'] = p.encryption.kmsKeyId;
    }
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// Workers
// ---------------------------------------------------------------------------------------------

/** Properties a Kafka client needs for MSK with IAM auth (aws-msk-iam-auth is in both plugin zips). */
export function mskIamClientProperties(prefix = ''): Record<string, string> {
  return {
    [`${prefix}security.protocol`]: 'SASL_SSL',
    [`${prefix}sasl.mechanism`]: 'AWS_MSK_IAM',
    [`${prefix}sasl.jaas.config`]: 'software.amazon.msk.auth.iam.IAMLoginModule required;',
    [`${prefix}sasl.client.callback.handler.class`]: 'software.amazon.msk.auth.iam.IAMClientCallbackHandler',
  };
}

/**
 * On MSK Connect the worker's own Kafka connection is not set in properties: it comes from the
 * CfnConnector's kafkaClusterClientAuthentication / kafkaClusterEncryptionInTransit, which must be these.
 */
export const MSK_CONNECT_KAFKA_ACCESS = {
  kafkaClusterClientAuthentication: { authenticationType: 'IAM' },
  kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
} as const;

export type WorkerParams =
  | {
      readonly target: 'msk-connect';
      /** Region of the Secrets Manager secrets; enables the `secretsmanager` config provider. */
      readonly secretsManagerRegion?: string;
    }
  | {
      readonly target: 'local';
      readonly bootstrapServers: string;
      /** Folder with one unpacked folder per plugin zip. */
      readonly pluginPath: string;
      /** Standalone worker: file for source offsets. */
      readonly offsetStorageFile: string;
      /** @default 8083 */
      readonly restPort?: number;
      /** @default 'plaintext'; 'msk-iam' needs aws-msk-iam-auth on the worker class path. */
      readonly kafkaSecurity?: 'plaintext' | 'msk-iam';
      /** @default 10000 */
      readonly offsetFlushIntervalMs?: number;
    };

/**
 * Worker properties. For MSK Connect this is the CfnWorkerConfiguration propertiesFileContent
 * (render with renderProperties); note the SFTP source's zip is the one that contains the
 * Secrets Manager provider class, so use that worker configuration with that connector only.
 */
export function workerProperties(p: WorkerParams): Record<string, string> {
  const converters = {
    'key.converter': STRING_CONVERTER,
    'value.converter': STRING_CONVERTER,
  };
  if (p.target === 'msk-connect') {
    const props: Record<string, string> = { ...converters };
    if (p.secretsManagerRegion !== undefined) {
      requireText(p.secretsManagerRegion, 'secretsManagerRegion', 'the region of the secrets');
      props['config.providers'] = 'secretsmanager';
      props['config.providers.secretsmanager.class'] = SECRETS_MANAGER_CONFIG_PROVIDER_CLASS;
      props['config.providers.secretsmanager.param.region'] = p.secretsManagerRegion;
    }
    return props;
  }
  requireText(p.bootstrapServers, 'bootstrapServers', 'host:port of the local broker');
  const restPort = p.restPort ?? 8083;
  requireInteger(restPort, 'restPort', 1, 65535);
  const security =
    p.kafkaSecurity === 'msk-iam'
      ? {
          ...mskIamClientProperties(),
          ...mskIamClientProperties('producer.'),
          ...mskIamClientProperties('consumer.'),
        }
      : {};
  return {
    'bootstrap.servers': p.bootstrapServers,
    ...converters,
    'offset.storage.file.filename': p.offsetStorageFile,
    'offset.flush.interval.ms': String(
      positiveInteger(p.offsetFlushIntervalMs ?? 10_000, 'offsetFlushIntervalMs'),
    ),
    'plugin.path': p.pluginPath,
    listeners: `http://127.0.0.1:${restPort}`,
    // Local secrets are referenced like on AWS: env variables, files, or a directory of files.
    'config.providers': 'env,file,dir',
    'config.providers.env.class': 'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
    'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
    'config.providers.dir.class': 'org.apache.kafka.common.config.provider.DirectoryConfigProvider',
    ...security,
  };
}

// ---------------------------------------------------------------------------------------------
// Names and rendering
// ---------------------------------------------------------------------------------------------

/** CDK token strings change when unrelated constructs are added; they must not rename connectors. */
const CDK_TOKEN = /\$\{Token\[[^\]]*\]\}/g;

/** JSON of the config with sorted keys, without `name`: the input of the connector name hash. */
export function canonicalConfigJson(config: Readonly<Record<string, string>>): string {
  const sorted = Object.keys(config)
    .filter((key) => key !== 'name')
    .sort()
    .map((key) => [key, config[key].replace(CDK_TOKEN, '${Token}')]);
  return JSON.stringify(Object.fromEntries(sorted));
}

/**
 * `<prefix>-<kind>-<first 8 hex of sha256(canonical config)>`: a changed configuration gets a new
 * connector name, so CloudFormation can replace the connector instead of failing on "already exists".
 */
export function connectorName(
  prefix: string,
  kind: ConnectorKind,
  config: Readonly<Record<string, string>>,
): string {
  if (!/^[a-z0-9][a-z0-9-]{0,80}$/.test(prefix)) {
    throw new Error(
      `Connector name prefix '${prefix}' must be lower-case letters, digits and '-' (at most 81).`,
    );
  }
  const hash = createHash('sha256').update(canonicalConfigJson(config)).digest('hex').slice(0, 8);
  return `${prefix}-${kind}-${hash}`;
}

/**
 * A java.util.Properties file (ISO-8859-1 with \\uXXXX escapes, as Kafka's loader reads it), keys
 * sorted so renders are stable.
 */
export function renderProperties(props: Readonly<Record<string, string>>, headerComment?: string): string {
  const lines: string[] = [];
  if (headerComment) {
    lines.push(...headerComment.split('\n').map((line) => `# ${line}`));
  }
  for (const key of Object.keys(props).sort()) {
    lines.push(`${escapeProperty(key, true)}=${escapeProperty(props[key], false)}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === '=' || ch === ':' || ch === '#' || ch === '!') out += isKey || i === 0 ? `\\${ch}` : ch;
    else if (ch === ' ' && (isKey || i === 0)) out += '\\ ';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** Body for `POST /connectors` of the Connect REST API. */
export function renderRestJson(name: string, config: Readonly<Record<string, string>>): string {
  const sorted = Object.fromEntries(
    Object.keys(config)
      .sort()
      .map((key) => [key, config[key]]),
  );
  return `${JSON.stringify({ name, config: { ...sorted, name } }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Validation helpers: fail at synth/render time with the parameter name and the fix.
// ---------------------------------------------------------------------------------------------

function requireText(value: string, name: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${name} is empty: give ${what}.`);
  }
  return value;
}

function requireAbsolute(value: string, name: string): void {
  requireText(value, name, 'an absolute directory on the SFTP server');
  if (!value.startsWith('/')) {
    throw new Error(`${name} '${value}' must be an absolute path starting with '/'.`);
  }
}

function requireInteger(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}; got ${value}.`);
  }
  return value;
}

function positiveInteger(value: number, name: string): number {
  return requireInteger(value, name, 1, Number.MAX_SAFE_INTEGER);
}

function nonNegativeInteger(value: number, name: string): number {
  return requireInteger(value, name, 0, Number.MAX_SAFE_INTEGER);
}
