import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectorName, s3SinkConnectorConfig } from '../../connectors/connector-config';
import { parseReference, renderLocal } from '../../connectors/render-local';

const FINGERPRINT = 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8';

function baseArgs(out: string): string[] {
  return [
    '--out',
    out,
    '--sftp-port',
    '2222',
    '--sftp-user',
    'bankpipe-sftp',
    '--sftp-private-key',
    'dir:/twin/sftp/client:id_rsa',
    '--sftp-host-key-fingerprint',
    FINGERPRINT,
    '--input-dir',
    '/twin/sftp/drop',
    '--processed-dir',
    '/twin/sftp/processed',
    '--bucket',
    'bankpipe-raw',
    '--s3-endpoint',
    'http://127.0.0.1:9000',
  ];
}

describe('render-local', () => {
  it('writes worker and connector files whose names match the shared config functions', () => {
    const out = mkdtempSync(join(tmpdir(), 'render-local-'));
    const rendered = renderLocal(baseArgs(out));

    expect(rendered.map((r) => r.kind)).toEqual(['sftp-source', 's3-sink']);
    const sourceProps = readFileSync(join(out, 'sftp-source.properties'), 'utf8');
    expect(sourceProps).toContain('sftp.private.key=${dir:/twin/sftp/client:id_rsa}');
    expect(sourceProps).toContain('input.dir=/twin/sftp/drop');
    expect(sourceProps).toContain(`name=${rendered[0].name}`);

    const sinkJson = JSON.parse(readFileSync(join(out, 's3-sink.json'), 'utf8')) as {
      name: string;
      config: Record<string, string>;
    };
    expect(sinkJson.config['aws.s3.endpoint']).toBe('http://127.0.0.1:9000');
    expect(sinkJson.config['aws.secret.access.key']).toBe('${env:AWS_SECRET_ACCESS_KEY}');
    const { name, ...sinkConfig } = sinkJson.config;
    expect(name).toBe(sinkJson.name);
    expect(sinkJson.name).toBe(connectorName('bankpipe-local', 's3-sink', sinkConfig));
    // The same function the CDK app calls yields the same config for the same parameters.
    expect(sinkConfig).toMatchObject(
      s3SinkConnectorConfig({
        bucketName: 'bankpipe-raw',
        region: 'us-east-1',
        credentials: { mode: 'iam-role' },
        rotateIntervalMs: 10000,
      }) as Record<string, string>,
    );

    const worker = readFileSync(join(out, 'worker.properties'), 'utf8');
    expect(worker).toContain('bootstrap.servers=127.0.0.1:9092');
    expect(JSON.parse(readFileSync(join(out, 'connectors.json'), 'utf8'))).toEqual(rendered);
  });

  it('a changed parameter gives a new connector name, an unchanged one the same', () => {
    const a = renderLocal(baseArgs(mkdtempSync(join(tmpdir(), 'rl-a-'))));
    const b = renderLocal(baseArgs(mkdtempSync(join(tmpdir(), 'rl-b-'))));
    const c = renderLocal([
      ...baseArgs(mkdtempSync(join(tmpdir(), 'rl-c-'))),
      '--rotate-interval-ms',
      '20000',
    ]);
    expect(b.map((r) => r.name)).toEqual(a.map((r) => r.name));
    expect(c[0].name).toBe(a[0].name);
    expect(c[1].name).not.toBe(a[1].name);
  });

  it('refuses literal secrets and missing host key verification', () => {
    const out = mkdtempSync(join(tmpdir(), 'rl-bad-'));
    const withPassword = baseArgs(out).filter(
      (arg, i, all) => arg !== '--sftp-private-key' && all[i - 1] !== '--sftp-private-key',
    );
    expect(() => renderLocal([...withPassword, '--sftp-password', 'hunter2'])).toThrow(
      /never the secret itself/,
    );
    const noHostKey = baseArgs(out).filter(
      (arg, i, all) => arg !== '--sftp-host-key-fingerprint' && all[i - 1] !== '--sftp-host-key-fingerprint',
    );
    expect(() => renderLocal(noHostKey)).toThrow(/--sftp-host-key-fingerprint/);
  });

  it('parses references with and without a path', () => {
    expect(parseReference('env:SFTP_PASSWORD', 'x')).toEqual({ provider: 'env', key: 'SFTP_PASSWORD' });
    expect(parseReference('dir:/a/b:id_rsa', 'x')).toEqual({ provider: 'dir', path: '/a/b', key: 'id_rsa' });
  });
});
