/**
 * Makes a synthesized template stable for snapshots: asset hashes (64 hex
 * characters in S3 keys, image tags, custom-resource properties) change with
 * every edit to a Lambda or job script and say nothing about the infrastructure.
 */
export function normalizeTemplate(template: unknown): unknown {
  return JSON.parse(
    JSON.stringify(template)
      .replace(
        /[0-9a-f]{64}(\.(zip|json|py|jar))?/g,
        (_m, ext: string | undefined) => `[ASSET_HASH]${ext ?? ''}`,
      )
      .replace(/"cdk-hnb659fds-assets-[^"]*"/g, '"[BOOTSTRAP_BUCKET]"'),
  );
}
