import * as path from 'node:path';

/** The repository's root folder, for code that runs from the source tree (CDK synth, tests, tools). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A path inside the repository, e.g. repoPath('sql', 'athena'). */
export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}
