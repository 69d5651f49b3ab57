import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConnectorPlugin } from '../../connectors/connector-config';

/** A built MSK Connect plugin zip found on disk. */
export interface PluginZip {
  readonly plugin: ConnectorPlugin;
  readonly path: string;
  /** First 8 hex characters of the zip's SHA-256: a new build gets a new custom-plugin name. */
  readonly contentHash: string;
}

/**
 * Finds the zip of a plugin in the plugin folder: the exact release file
 * (`<name>-<version>.zip`) if present, otherwise the single `<name>-*.zip`.
 * Missing or ambiguous zips stop synth with the folder and the build command,
 * because a connector without its plugin cannot be deployed.
 */
export function findPluginZip(distDir: string, plugin: ConnectorPlugin): PluginZip {
  const folder = path.resolve(distDir);
  const build =
    'build them with connectors/build-plugins.sh (or point pluginDistDir at the folder that holds them)';
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new Error(`MSK Connect plugin folder ${folder} does not exist: ${build}`);
  }
  const files = fs.readdirSync(folder);
  const candidates = files.includes(plugin.zipFileName)
    ? [plugin.zipFileName]
    : files
        .filter((f) => f.endsWith('.zip'))
        .filter((f) => f.startsWith(`${plugin.name}-`))
        .sort();
  if (candidates.length === 0) {
    throw new Error(
      `MSK Connect plugin zip ${plugin.name}-*.zip (${plugin.description}) is missing from ${folder}: ${build}`,
    );
  }
  if (candidates.length > 1) {
    throw new Error(
      `MSK Connect plugin folder ${folder} has several ${plugin.name} zips (${candidates.join(', ')}): ` +
        `keep only ${plugin.zipFileName} (rebuild with connectors/build-plugins.sh)`,
    );
  }
  const zipPath = path.join(folder, candidates[0] as string);
  const contentHash = createHash('sha256').update(fs.readFileSync(zipPath)).digest('hex').slice(0, 8);
  return { plugin, path: zipPath, contentHash };
}
