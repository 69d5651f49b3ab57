import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PLUGIN_VERSION,
  S3_SINK_PLUGIN,
  SECRETS_MANAGER_CONFIG_PROVIDER_CLASS,
  SFTP_SOURCE_PLUGIN,
  S3SinkParams,
  SftpSourceParams,
  TRANSACTIONS_TOPIC,
  canonicalConfigJson,
  connectorName,
  directoryFileReference,
  envReference,
  mskIamClientProperties,
  renderProperties,
  renderReference,
  renderRestJson,
  s3SinkConnectorConfig,
  secretsManagerReference,
  sftpSourceConnectorConfig,
  workerProperties,
} from '../../connectors/connector-config';
import {
  PROJECT_SLUG,
  RAW_HOUR_PARTITION,
  RAW_TRANSACTIONS_PREFIX,
  SINK_WATERMARK_FOLDER,
} from '../../lib/shared/pipeline-layout';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:bank/sftp-AbCdEf';
const SECRET_VALUE = 'correct-horse-battery-staple';
const FINGERPRINT = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';

const awsSource: SftpSourceParams = {
  host: 'sftp.bank.internal',
  username: secretsManagerReference(SECRET_ARN, 'username'),
  authentication: { method: 'password', password: secretsManagerReference(SECRET_ARN, 'password') },
  hostKey: { mode: 'fingerprints', sha256Fingerprints: [FINGERPRINT] },
  inputDir: '/upload/transactions',
};

const awsSink: S3SinkParams = {
  bucketName: 'bank-raw-zone',
  region: 'eu-central-1',
  credentials: { mode: 'iam-role' },
  encryption: { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/abc' },
};

/** Parses a properties text the simple way Kafka's loader would for our escapes. */
function parseProperties(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^((?:\\.|[^=])*)=(.*)$/.exec(line);
    if (!match) throw new Error(`bad line ${line}`);
    const unescape = (s: string): string =>
      s.replace(/\\u([0-9a-f]{4})|\\(.)/g, (_m, hex: string | undefined, ch: string | undefined) =>
        hex
          ? String.fromCharCode(parseInt(hex, 16))
          : (({ n: '\n', r: '\r', t: '\t', f: '\f' } as Record<string, string>)[ch ?? ''] ?? ch ?? ''),
      );
    result[unescape(match[1])] = unescape(match[2]);
  }
  return result;
}

describe('plugin metadata', () => {
  it('matches the Maven build that produces the zips', () => {
    const pom = readFileSync(join(__dirname, '../../connectors/pom.xml'), 'utf8');
    const version = /<artifactId>connectors-parent<\/artifactId>\s*<version>([^<]+)<\/version>/.exec(
      pom,
    )?.[1];
    expect(version).toBe(PLUGIN_VERSION);
    expect(SFTP_SOURCE_PLUGIN.zipFileName).toBe(`sftp-jsonl-source-${version}.zip`);
    expect(S3_SINK_PLUGIN.zipFileName).toBe(`s3-jsonl-sink-${version}.zip`);
  });

  it('builds the plugins under the groupId and Java package of the project slug', () => {
    const pom = readFileSync(join(__dirname, '../../connectors/pom.xml'), 'utf8');
    expect(/<groupId>([^<]+)<\/groupId>\s*<artifactId>connectors-parent<\/artifactId>/.exec(pom)?.[1]).toBe(
      `io.${PROJECT_SLUG}`,
    );
    for (const className of [
      SFTP_SOURCE_PLUGIN.connectorClass,
      S3_SINK_PLUGIN.connectorClass,
      SECRETS_MANAGER_CONFIG_PROVIDER_CLASS,
    ]) {
      expect(className.startsWith(`io.${PROJECT_SLUG}.connect.`)).toBe(true);
    }
  });

  it('names connector classes that exist in the plugin sources', () => {
    for (const className of [
      SFTP_SOURCE_PLUGIN.connectorClass,
      S3_SINK_PLUGIN.connectorClass,
      SECRETS_MANAGER_CONFIG_PROVIDER_CLASS,
    ]) {
      const module = className.includes('.s3.') ? 's3-jsonl-sink' : 'sftp-jsonl-source';
      const file = join(
        __dirname,
        '../../connectors',
        module,
        'src/main/java',
        `${className.replace(/\./g, '/')}.java`,
      );
      expect(readFileSync(file, 'utf8')).toContain(`public final class ${className.split('.').pop()}`);
    }
  });
});

describe('sftpSourceConnectorConfig', () => {
  it('has every key the connector requires, with references instead of secrets', () => {
    const config = sftpSourceConnectorConfig(awsSource);
    expect(config).toMatchObject({
      'connector.class': SFTP_SOURCE_PLUGIN.connectorClass,
      topic: TRANSACTIONS_TOPIC,
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'sftp.host': 'sftp.bank.internal',
      'sftp.port': '22',
      'input.dir': '/upload/transactions',
      'processed.dir': '/upload/transactions/processed',
      'finished.file.action': 'move',
      'sftp.host.key.fingerprint': FINGERPRINT,
    });
    const encodedArn = encodeURIComponent(SECRET_ARN);
    expect(config['sftp.password']).toBe(`\${secretsmanager:${encodedArn}:password}`);
    expect(config['sftp.username']).toBe(`\${secretsmanager:${encodedArn}:username}`);
    expect(encodedArn).not.toContain(':');
    expect(config['sftp.strict.host.key.checking']).toBeUndefined();
  });

  it('supports private keys from a directory provider and an explicit insecure opt-out', () => {
    const config = sftpSourceConnectorConfig({
      ...awsSource,
      username: 'bankpipe-sftp',
      authentication: { method: 'private-key', privateKey: directoryFileReference('/twin/client', 'id_rsa') },
      hostKey: { mode: 'insecure-skip', reason: 'unit test' },
      finishedFileAction: 'delete',
    });
    expect(config['sftp.private.key']).toBe('${dir:/twin/client:id_rsa}');
    expect(config['sftp.password']).toBeUndefined();
    expect(config['sftp.strict.host.key.checking']).toBe('false');
    expect(config['processed.dir']).toBeUndefined();
  });

  it('rejects bad input with the parameter name and the fix', () => {
    expect(() => sftpSourceConnectorConfig({ ...awsSource, inputDir: 'upload' })).toThrow(
      /inputDir 'upload' must be an absolute path/,
    );
    expect(() =>
      sftpSourceConnectorConfig({
        ...awsSource,
        hostKey: { mode: 'fingerprints', sha256Fingerprints: ['aa:bb'] },
      }),
    ).toThrow(/ssh-keygen -lf/);
    expect(() => sftpSourceConnectorConfig({ ...awsSource, port: 70000 })).toThrow(
      /port must be an integer between 1 and 65535/,
    );
    expect(() =>
      sftpSourceConnectorConfig({ ...awsSource, hostKey: { mode: 'insecure-skip', reason: ' ' } }),
    ).toThrow(/hostKey.reason/);
  });
});

describe('s3SinkConnectorConfig', () => {
  it('writes raw string values to hour folders with the IAM role on AWS', () => {
    const config = s3SinkConnectorConfig(awsSink);
    expect(config).toMatchObject({
      'connector.class': S3_SINK_PLUGIN.connectorClass,
      topics: TRANSACTIONS_TOPIC,
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'aws.s3.bucket.name': 'bank-raw-zone',
      'aws.s3.region': 'eu-central-1',
      'aws.s3.prefix': RAW_TRANSACTIONS_PREFIX,
      // The Java sink has no defaults for the layout: the rendered config always carries it.
      'aws.s3.hour.folder.pattern': RAW_HOUR_PARTITION,
      'aws.s3.watermark.folder': SINK_WATERMARK_FOLDER,
      'file.compression.type': 'none',
      'timestamp.source': 'record',
      'aws.s3.sse.algorithm': 'aws:kms',
    });
    expect(
      Object.keys(config).filter((k) => k.startsWith('aws.access') || k.startsWith('aws.secret')),
    ).toEqual([]);
    expect(config['aws.s3.endpoint']).toBeUndefined();
  });

  it('points at a local S3 server with path style and referenced keys', () => {
    const config = s3SinkConnectorConfig({
      ...awsSink,
      encryption: undefined,
      endpoint: { url: 'http://127.0.0.1:9000' },
      credentials: {
        mode: 'static-keys',
        accessKeyId: envReference('AWS_ACCESS_KEY_ID'),
        secretAccessKey: envReference('AWS_SECRET_ACCESS_KEY'),
      },
    });
    expect(config['aws.s3.endpoint']).toBe('http://127.0.0.1:9000');
    expect(config['aws.s3.path.style.access.enabled']).toBe('true');
    expect(config['aws.access.key.id']).toBe('${env:AWS_ACCESS_KEY_ID}');
    expect(config['aws.secret.access.key']).toBe('${env:AWS_SECRET_ACCESS_KEY}');
  });

  it('rejects a prefix with a leading slash and an endpoint without scheme', () => {
    expect(() => s3SinkConnectorConfig({ ...awsSink, prefix: '/raw' })).toThrow(/prefix '\/raw'/);
    expect(() => s3SinkConnectorConfig({ ...awsSink, endpoint: { url: '127.0.0.1:9000' } })).toThrow(
      /http:\/\/127.0.0.1:9000/,
    );
  });
});

describe('secrets stay out of configurations', () => {
  it('every credential key holds a ${provider:...} placeholder, and no secret value appears anywhere', () => {
    const configs = [
      sftpSourceConnectorConfig(awsSource),
      sftpSourceConnectorConfig({
        ...awsSource,
        authentication: {
          method: 'private-key',
          privateKey: secretsManagerReference(SECRET_ARN, 'private_key'),
          passphrase: envReference('KEY_PASS'),
        },
      }),
      s3SinkConnectorConfig({
        ...awsSink,
        credentials: {
          mode: 'static-keys',
          accessKeyId: envReference('A'),
          secretAccessKey: envReference('B'),
        },
      }),
    ];
    for (const config of configs) {
      for (const [key, value] of Object.entries(config)) {
        if (/password|private\.key|secret|access\.key/.test(key)) {
          expect(value, key).toMatch(/^\$\{[A-Za-z][\w.-]*:[^{}]+\}$/);
        }
        expect(value).not.toContain(SECRET_VALUE);
      }
    }
  });

  it('refuses references that would break the placeholder syntax', () => {
    expect(() => renderReference({ provider: 'env', key: 'A:B' })).toThrow(/cannot contain/);
    expect(() => renderReference({ provider: 'bad provider', key: 'x' })).toThrow(/alias/);
    expect(() => envReference('not a name')).toThrow(/environment variable name/);
  });
});

describe('connectorName', () => {
  const base = sftpSourceConnectorConfig(awsSource);

  it('is prefix-kind-8 hex and ignores key order and the name key', () => {
    const name = connectorName('bankpipe', 'sftp-source', base);
    expect(name).toMatch(/^bankpipe-sftp-source-[0-9a-f]{8}$/);
    const reversed = Object.fromEntries(Object.entries(base).reverse());
    expect(connectorName('bankpipe', 'sftp-source', { ...reversed, name: 'whatever' })).toBe(name);
  });

  it('changes if and only if the configuration changes', () => {
    const name = connectorName('bankpipe', 'sftp-source', base);
    expect(connectorName('bankpipe', 'sftp-source', sftpSourceConnectorConfig(awsSource))).toBe(name);
    expect(
      connectorName('bankpipe', 'sftp-source', sftpSourceConnectorConfig({ ...awsSource, batchSize: 500 })),
    ).not.toBe(name);
    expect(connectorName('bankpipe', 'sftp-source', { ...base, 'poll.interval.ms': '5001' })).not.toBe(name);
  });

  it('does not change when only CDK token numbering changes', () => {
    const withToken = (n: number): Record<string, string> => ({
      ...base,
      'sftp.password': `\${Token[TOKEN.${n}]}`,
    });
    expect(connectorName('p', 'sftp-source', withToken(101))).toBe(
      connectorName('p', 'sftp-source', withToken(733)),
    );
    expect(canonicalConfigJson(withToken(1))).toContain('${Token}');
  });
});

describe('workerProperties', () => {
  it('MSK Connect: converters and the Secrets Manager provider, no Kafka connection settings', () => {
    const props = workerProperties({ target: 'msk-connect', secretsManagerRegion: 'eu-central-1' });
    expect(props).toEqual({
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'config.providers': 'secretsmanager',
      'config.providers.secretsmanager.class': SECRETS_MANAGER_CONFIG_PROVIDER_CLASS,
      'config.providers.secretsmanager.param.region': 'eu-central-1',
    });
  });

  it('local: plaintext by default, IAM SASL settings for worker, producer and consumer on request', () => {
    const local = workerProperties({
      target: 'local',
      bootstrapServers: '127.0.0.1:9092',
      pluginPath: '/p',
      offsetStorageFile: '/o',
    });
    expect(local['bootstrap.servers']).toBe('127.0.0.1:9092');
    expect(local['security.protocol']).toBeUndefined();
    expect(local['config.providers']).toBe('env,file,dir');
    const iam = workerProperties({
      target: 'local',
      bootstrapServers: 'b-1:9098',
      pluginPath: '/p',
      offsetStorageFile: '/o',
      kafkaSecurity: 'msk-iam',
    });
    for (const prefix of ['', 'producer.', 'consumer.']) {
      expect(iam).toMatchObject(mskIamClientProperties(prefix));
    }
    expect(iam['sasl.mechanism']).toBe('AWS_MSK_IAM');
  });
});

describe('rendering', () => {
  it('properties round-trip, including newlines, unicode and special characters', () => {
    const props = {
      'sftp.known.hosts': 'host1 ssh-ed25519 AAAA\nhost2 ssh-rsa BBBB',
      city: 'Zürich',
      'a=b': ' x#y:z',
      pattern: '.*\\.jsonl?$',
    };
    const text = renderProperties(props, 'header');
    expect(text.startsWith('# header\n')).toBe(true);
    expect(text).toContain('Z\\u00fcrich');
    expect(parseProperties(text)).toEqual(props);
  });

  it('REST JSON carries the name in both places', () => {
    const body = JSON.parse(renderRestJson('n-1', { a: '1' })) as {
      name: string;
      config: Record<string, string>;
    };
    expect(body).toEqual({ name: 'n-1', config: { a: '1', name: 'n-1' } });
  });
});
