/**
 * Renders the connector configurations for the local Kafka Connect worker from the same functions
 * the CDK app uses for MSK Connect (connectors/connector-config.ts).
 *
 *   npx tsx connectors/render-local.ts --out DIR \
 *     --sftp-host 127.0.0.1 --sftp-port 2222 --sftp-user bankpipe-sftp \
 *     --sftp-private-key dir:/abs/client:id_rsa --sftp-host-key-fingerprint SHA256:... \
 *     --input-dir /abs/drop --processed-dir /abs/processed \
 *     --bucket bankpipe-raw --s3-endpoint http://127.0.0.1:9000 \
 *     --s3-access-key-id env:AWS_ACCESS_KEY_ID --s3-secret-access-key env:AWS_SECRET_ACCESS_KEY
 *
 * Secrets are given as config-provider references `provider:[path:]key` (providers env, file, dir,
 * secretsmanager), never as values. Writes to DIR:
 *   worker.properties                 standalone worker (connect-standalone worker.properties a b)
 *   sftp-source.properties/.json      connector config as properties file / REST body
 *   s3-sink.properties/.json
 *   connectors.json                   [{kind, name, properties, rest}] for deployment scripts
 * and prints connectors.json to stdout.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigProviderReference,
  ConnectorKind,
  HostKeyVerification,
  SftpAuthentication,
  TRANSACTIONS_TOPIC,
  connectorName,
  renderProperties,
  renderRestJson,
  s3SinkConnectorConfig,
  sftpSourceConnectorConfig,
  workerProperties,
} from './connector-config';
import { PROJECT_SLUG, RAW_TRANSACTIONS_PREFIX } from '../lib/shared/pipeline-layout';

const KNOWN_PROVIDERS = ['env', 'file', 'dir', 'secretsmanager'];

const OPTIONS = {
  out: { type: 'string' },
  'name-prefix': { type: 'string', default: `${PROJECT_SLUG}-local` },
  topic: { type: 'string', default: TRANSACTIONS_TOPIC },
  'sftp-host': { type: 'string', default: '127.0.0.1' },
  'sftp-port': { type: 'string', default: '22' },
  'sftp-user': { type: 'string' },
  'sftp-password': { type: 'string' },
  'sftp-private-key': { type: 'string' },
  'sftp-private-key-passphrase': { type: 'string' },
  'sftp-host-key-fingerprint': { type: 'string', multiple: true },
  'sftp-known-hosts-file': { type: 'string' },
  'insecure-skip-host-key-check': { type: 'boolean', default: false },
  'input-dir': { type: 'string' },
  'processed-dir': { type: 'string' },
  'min-file-age-ms': { type: 'string', default: '2000' },
  'poll-interval-ms': { type: 'string', default: '1000' },
  'source-tasks': { type: 'string', default: '1' },
  bucket: { type: 'string' },
  region: { type: 'string', default: 'us-east-1' },
  's3-prefix': { type: 'string', default: RAW_TRANSACTIONS_PREFIX },
  's3-endpoint': { type: 'string' },
  's3-access-key-id': { type: 'string', default: 'env:AWS_ACCESS_KEY_ID' },
  's3-secret-access-key': { type: 'string', default: 'env:AWS_SECRET_ACCESS_KEY' },
  compression: { type: 'string', default: 'none' },
  'max-records-per-object': { type: 'string', default: '10000' },
  'rotate-interval-ms': { type: 'string', default: '10000' },
  'sink-tasks': { type: 'string', default: '1' },
  bootstrap: { type: 'string', default: '127.0.0.1:9092' },
  'plugin-path': { type: 'string', default: '' },
  'offsets-file': { type: 'string', default: '' },
  'rest-port': { type: 'string', default: '8083' },
  help: { type: 'boolean', default: false },
} as const;

export interface RenderedConnector {
  readonly kind: ConnectorKind;
  readonly name: string;
  readonly properties: string;
  readonly rest: string;
}

/** Parses `provider:[path:]key`; the path may itself contain ':' (a URL-encoded ARN does not). */
export function parseReference(text: string, flag: string): ConfigProviderReference {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  const provider = first > 0 ? text.slice(0, first) : '';
  if (!KNOWN_PROVIDERS.includes(provider)) {
    throw new UsageError(
      `--${flag} must be a config-provider reference provider:[path:]key with provider one of ` +
        `${KNOWN_PROVIDERS.join(', ')} (e.g. env:SFTP_PASSWORD or dir:/keys:id_rsa), never the secret itself.`,
    );
  }
  if (first === last) {
    return { provider, key: text.slice(first + 1) };
  }
  return { provider, path: text.slice(first + 1, last), key: text.slice(last + 1) };
}

class UsageError extends Error {}

function required(values: Record<string, unknown>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`--${flag} is required.`);
  }
  return value;
}

function integer(values: Record<string, unknown>, flag: string): number {
  const text = required(values, flag);
  const value = Number(text);
  if (!Number.isInteger(value)) {
    throw new UsageError(`--${flag} must be an integer; got '${text}'.`);
  }
  return value;
}

/** Renders every file into outDir and returns what was written. Exported for tests. */
export function renderLocal(argv: readonly string[]): RenderedConnector[] {
  const { values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false });
  if (values.help) {
    throw new UsageError('usage: see the comment at the top of connectors/render-local.ts');
  }
  const outDir = resolve(required(values, 'out'));

  let authentication: SftpAuthentication;
  if (values['sftp-private-key']) {
    authentication = {
      method: 'private-key',
      privateKey: parseReference(values['sftp-private-key'], 'sftp-private-key'),
      ...(values['sftp-private-key-passphrase']
        ? { passphrase: parseReference(values['sftp-private-key-passphrase'], 'sftp-private-key-passphrase') }
        : {}),
    };
  } else if (values['sftp-password']) {
    authentication = {
      method: 'password',
      password: parseReference(values['sftp-password'], 'sftp-password'),
    };
  } else {
    throw new UsageError(
      'Give --sftp-private-key or --sftp-password (as a reference, e.g. env:SFTP_PASSWORD).',
    );
  }

  let hostKey: HostKeyVerification;
  const fingerprints = (values['sftp-host-key-fingerprint'] ?? [])
    .flatMap((f) => f.split(','))
    .filter((f) => f !== '');
  if (fingerprints.length > 0) {
    hostKey = { mode: 'fingerprints', sha256Fingerprints: fingerprints };
  } else if (values['sftp-known-hosts-file']) {
    hostKey = { mode: 'known-hosts', knownHosts: readFileSync(values['sftp-known-hosts-file'], 'utf8') };
  } else if (values['insecure-skip-host-key-check']) {
    hostKey = {
      mode: 'insecure-skip',
      reason: 'local throw-away SFTP server (--insecure-skip-host-key-check)',
    };
  } else {
    throw new UsageError(
      'Give --sftp-host-key-fingerprint SHA256:... (ssh-keygen -lf) or --sftp-known-hosts-file; ' +
        '--insecure-skip-host-key-check only for a throw-away server.',
    );
  }

  const compression = required(values, 'compression');
  if (compression !== 'none' && compression !== 'gzip') {
    throw new UsageError(`--compression must be none or gzip; got '${compression}'.`);
  }
  const endpoint = values['s3-endpoint'];

  const source = sftpSourceConnectorConfig({
    host: required(values, 'sftp-host'),
    port: integer(values, 'sftp-port'),
    username: required(values, 'sftp-user'),
    authentication,
    hostKey,
    inputDir: required(values, 'input-dir'),
    ...(values['processed-dir'] ? { processedDir: values['processed-dir'] } : {}),
    minFileAgeMs: integer(values, 'min-file-age-ms'),
    pollIntervalMs: integer(values, 'poll-interval-ms'),
    tasksMax: integer(values, 'source-tasks'),
    topic: required(values, 'topic'),
  });
  const sink = s3SinkConnectorConfig({
    bucketName: required(values, 'bucket'),
    region: required(values, 'region'),
    prefix: values['s3-prefix'] ?? RAW_TRANSACTIONS_PREFIX,
    credentials: endpoint
      ? {
          mode: 'static-keys',
          accessKeyId: parseReference(required(values, 's3-access-key-id'), 's3-access-key-id'),
          secretAccessKey: parseReference(required(values, 's3-secret-access-key'), 's3-secret-access-key'),
        }
      : { mode: 'iam-role' },
    ...(endpoint ? { endpoint: { url: endpoint, pathStyleAccess: true } } : {}),
    compression,
    maxRecordsPerObject: integer(values, 'max-records-per-object'),
    rotateIntervalMs: integer(values, 'rotate-interval-ms'),
    tasksMax: integer(values, 'sink-tasks'),
    topic: required(values, 'topic'),
  });

  mkdirSync(outDir, { recursive: true });
  const worker = workerProperties({
    target: 'local',
    bootstrapServers: required(values, 'bootstrap'),
    pluginPath: values['plugin-path'] || join(outDir, 'plugins'),
    offsetStorageFile: values['offsets-file'] || join(outDir, 'connect.offsets'),
    restPort: integer(values, 'rest-port'),
  });
  writeFileSync(
    join(outDir, 'worker.properties'),
    renderProperties(
      worker,
      'Local Kafka Connect standalone worker. Generated by connectors/render-local.ts.',
    ),
  );

  const prefix = required(values, 'name-prefix');
  const rendered: RenderedConnector[] = [];
  for (const [kind, config] of [
    ['sftp-source', source],
    ['s3-sink', sink],
  ] as const) {
    const name = connectorName(prefix, kind, config);
    const properties = join(outDir, `${kind}.properties`);
    const rest = join(outDir, `${kind}.json`);
    writeFileSync(
      properties,
      renderProperties({ ...config, name }, `${name}. Generated by connectors/render-local.ts.`),
    );
    writeFileSync(rest, renderRestJson(name, config));
    rendered.push({ kind, name, properties, rest });
  }
  writeFileSync(join(outDir, 'connectors.json'), `${JSON.stringify(rendered, null, 2)}\n`);
  return rendered;
}

function main(): void {
  try {
    const rendered = renderLocal(process.argv.slice(2));
    process.stdout.write(`${JSON.stringify(rendered, null, 2)}\n`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`render-local: ${message}\n`);
    process.exitCode = 2;
  }
}

// Run only as a CLI (npx tsx), not when a test imports the module.
if (typeof require !== 'undefined' && require.main === module) {
  main();
}
