/**
 * Stand-in for the `semver` package inside Lambda bundles (see
 * PIPELINE_BUNDLE_SETTINGS in lib/shared/pipeline-function.ts).
 *
 * aws-xray-sdk-core requires `semver` only to check the version of an AWS SDK v2
 * client before patching it; the Powertools tracer patches SDK v3 clients and
 * never reaches that code. This keeps ~29 KB out of every bundle while still
 * answering `gte` correctly for plain `x.y.z` versions.
 */
export function gte(version: string, minimum: string): boolean {
  const left = parse(version);
  const right = parse(minimum);
  for (let i = 0; i < 3; i += 1) {
    if (left[i] !== right[i]) return left[i] > right[i];
  }
  return true;
}

function parse(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!match) throw new Error(`semver stub: cannot compare "${version}" (only x.y.z versions are supported)`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
