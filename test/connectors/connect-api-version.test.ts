import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { S3_SINK_PLUGIN, SFTP_SOURCE_PLUGIN } from '../../connectors/connector-config';
import { minorVersion } from '../../lib/config/aws-runtimes';
import { REPO_ROOT } from '../../lib/shared/repo-root';
import { zipEntryNames } from './zip-entries';

/**
 * The connector plugins are compiled against the Kafka Connect API that MSK
 * Connect runs (declared in lib/config/aws-runtimes.json; Maven cannot read
 * it, so this test holds the poms to it), and their zips carry none of the
 * jars the Connect worker provides: a bundled connect-api or kafka-clients
 * would shadow the worker's classes and break on a worker of another version.
 */
const DECLARED = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'lib', 'config', 'aws-runtimes.json'), 'utf8'),
) as { mskConnect: { kafkaConnectVersion: string; connectApiVersion: string } };

const CONNECTORS = path.join(REPO_ROOT, 'connectors');
const PARENT_POM = path.join(CONNECTORS, 'pom.xml');
const PLUGINS = [SFTP_SOURCE_PLUGIN, S3_SINK_PLUGIN];

/** Jars the Connect worker puts on the classpath itself (Kafka, SLF4J, Jackson). */
const WORKER_PROVIDED_JAR =
  /(^|\/)(connect-(api|runtime|json|transforms|file|mirror)|kafka-clients|kafka_2\.\d+|slf4j-api|jackson-(core|databind|annotations))-[^/]*\.jar$/;

interface PomDependency {
  artifactId: string;
  version?: string;
  scope?: string;
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name.replace('.', '\\.')}>\\s*([^<]*?)\\s*</${name.replace('.', '\\.')}>`).exec(
    xml,
  )?.[1];
}

/** Direct dependencies of a pom (not its dependencyManagement), with ${property} versions resolved. */
function dependencies(pomXml: string, properties: Record<string, string>): PomDependency[] {
  const withoutManagement = pomXml.replace(/<dependencyManagement>[\s\S]*?<\/dependencyManagement>/g, '');
  return [...withoutManagement.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)].map(([, body]) => {
    const version = tag(body, 'version')?.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
      const value = properties[key];
      if (value === undefined) throw new Error(`pom property ${key} is not defined`);
      return value;
    });
    return { artifactId: tag(body, 'artifactId') ?? '', version, scope: tag(body, 'scope') };
  });
}

function properties(pomXml: string): Record<string, string> {
  const block = /<properties>([\s\S]*?)<\/properties>/.exec(pomXml)?.[1] ?? '';
  return Object.fromEntries(
    [...block.matchAll(/<([\w.-]+)>([^<]*)<\/\1>/g)].map(([, k, v]) => [k, v.trim()]),
  );
}

describe('connector plugins and the Kafka Connect of MSK Connect', () => {
  const parentXml = fs.readFileSync(PARENT_POM, 'utf8');
  const parentProperties = properties(parentXml);

  it('declares a connect-api release inside the Kafka Connect version MSK Connect runs', () => {
    const connect = DECLARED.mskConnect;
    // '3.7.x' runs any 3.7 patch: the API the plugins compile against must be one of them.
    expect(connect.kafkaConnectVersion).toMatch(/^\d+\.\d+\.x$/);
    expect(minorVersion(connect.connectApiVersion)).toBe(minorVersion(connect.kafkaConnectVersion));
  });

  it('compiles both plugins against exactly that connect-api, provided by the worker', () => {
    const connectApi = dependencies(parentXml, parentProperties).filter(
      (d) => d.artifactId === 'connect-api',
    );
    expect(connectApi).toEqual([
      { artifactId: 'connect-api', version: DECLARED.mskConnect.connectApiVersion, scope: 'provided' },
    ]);
    for (const plugin of PLUGINS) {
      const childXml = fs.readFileSync(path.join(CONNECTORS, plugin.name, 'pom.xml'), 'utf8');
      // A child must inherit the parent's Kafka API, not redefine or re-declare it.
      expect(properties(childXml), `${plugin.name}/pom.xml`).not.toHaveProperty('kafka.version');
      const kafkaDeps = dependencies(childXml, { ...parentProperties, ...properties(childXml) }).filter(
        (d) => d.artifactId.startsWith('connect-') || d.artifactId.startsWith('kafka'),
      );
      expect(kafkaDeps, `${plugin.name}/pom.xml`).toEqual([]);
    }
  });

  it("runs the twin's Connect worker on the same major, at or above MSK Connect's minor", () => {
    // The README's case for the twin (API compatible within a major, plugins built on the older
    // minor) holds only in this range; a twin on Connect 4.x would need that case made again.
    const twinPom = fs.readFileSync(path.join(REPO_ROOT, 'local', 'jars', 'kafka', 'pom.xml'), 'utf8');
    const runtime = dependencies(twinPom, properties(twinPom)).find(
      (d) => d.artifactId === 'connect-runtime',
    );
    const [twinMajor, twinMinor] = (runtime?.version ?? '').split('.').map(Number);
    const [mskMajor, mskMinor] = DECLARED.mskConnect.kafkaConnectVersion.split('.').map(Number);
    expect(twinMajor, `twin connect-runtime ${runtime?.version}`).toBe(mskMajor);
    expect(twinMinor, `twin connect-runtime ${runtime?.version}`).toBeGreaterThanOrEqual(mskMinor);
  });

  it.each(PLUGINS.map((plugin) => [plugin.name, plugin] as const))(
    '%s zip holds the connector jar, the shared plugin code and its libraries, no worker-provided jar',
    (_name, plugin) => {
      const zipPath = path.join(CONNECTORS, 'dist', plugin.zipFileName);
      expect(
        fs.existsSync(zipPath),
        `${zipPath} is missing: build it with connectors/build-plugins.sh (make setup does)`,
      ).toBe(true);
      const jars = zipEntryNames(zipPath).filter((entry) => entry.endsWith('.jar'));
      expect(jars).toContain(`${plugin.name}-${plugin.version}/lib/${plugin.name}-${plugin.version}.jar`);
      // MSK Connect loads each plugin zip on its own: the code both plugins share travels in each.
      expect(jars).toContain(`${plugin.name}-${plugin.version}/lib/plugin-common-${plugin.version}.jar`);
      expect(jars.filter((jar) => WORKER_PROVIDED_JAR.test(jar))).toEqual([]);
    },
  );
});
