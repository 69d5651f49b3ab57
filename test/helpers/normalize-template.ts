/**
 * Makes a synthesized template stable for snapshots. Only values that change
 * with an edit to the *contents* of a Lambda, a job script, a plugin or a SQL
 * file are replaced; resource types, properties, logical ids, IAM statements
 * and names stay as synthesized, so a snapshot diff shows every change to the
 * infrastructure and nothing else.
 */

/** Stands for a CDK asset hash (the sha256 of an asset's contents, 64 hex digits). */
export const ASSET_HASH = '[ASSET_HASH]';
/** Stands for a content fingerprint the app computes itself over shipped files. */
export const CONTENT_HASH = '[CONTENT_HASH]';

/**
 * Properties whose whole value is a content fingerprint: the warehouse schema
 * custom resource's hash of sql/redshift (lib/warehouse/redshift-schema.ts),
 * there only to make CloudFormation re-run the schema when a file changes.
 */
const CONTENT_FINGERPRINT_PROPERTIES: ReadonlySet<string> = new Set(['SqlHash']);

/**
 * A 64-hex-digit run on its own (not part of a longer id): an asset hash in an
 * S3 key (`<hash>.zip`), an `arn:aws:s3:::cdk-hnb659fds-assets-…/<hash>.zip`
 * resource, a bucket deployment's source key or a container image tag.
 * Construct addresses inside logical ids (42 hex digits glued to letters) do
 * not match, so distinct resources keep distinct ids.
 */
const ASSET_HASH_RUN = /(?<![0-9A-Za-z])[0-9a-f]{64}(?![0-9A-Za-z])/g;

/**
 * Names derived from an asset hash: the legacy synthesizer's asset parameters
 * (`AssetParameters<hash>S3Bucket<8 hex>`) and Lambda version logical ids
 * (`…CurrentVersion<8 hex><md5 of the function, code included>`). They appear
 * as keys (Parameters, Resources) and as Ref values.
 */
const HASH_DERIVED_NAMES: readonly [RegExp, string][] = [
  [
    /^AssetParameters[0-9a-f]{64}(S3Bucket|S3VersionKey|ArtifactHash)[0-9A-F]{8}$/,
    `AssetParameters${ASSET_HASH}$1`,
  ],
  [/^(.*CurrentVersion[0-9A-F]{8})[0-9a-f]{32}$/, `$1${ASSET_HASH}`],
];

/** A template with asset hashes and content fingerprints replaced by placeholders. */
export function normalizeTemplate(template: unknown): unknown {
  return normalizeValue(template, '');
}

function normalizeValue(value: unknown, where: string): unknown {
  if (typeof value === 'string') return normalizeString(value);
  if (Array.isArray(value)) return value.map((item, index) => normalizeValue(item, `${where}[${index}]`));
  if (typeof value === 'object' && value !== null) return normalizeObject(value, where);
  return value;
}

function normalizeObject(value: object, where: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const originalOf = new Map<string, string>();
  for (const [key, item] of Object.entries(value)) {
    const normalizedKey = normalizeName(key);
    const clash = originalOf.get(normalizedKey);
    if (clash !== undefined) {
      // Two keys that differ only in a hash would merge and one would vanish from the snapshot.
      throw new Error(
        `normalizeTemplate: "${clash}" and "${key}" under ${where || 'the template root'} both become ` +
          `"${normalizedKey}"; make the pattern in test/helpers/normalize-template.ts keep them apart`,
      );
    }
    originalOf.set(normalizedKey, key);
    result[normalizedKey] =
      CONTENT_FINGERPRINT_PROPERTIES.has(key) && typeof item === 'string'
        ? CONTENT_HASH
        : normalizeValue(item, `${where}.${key}`);
  }
  return result;
}

function normalizeString(text: string): string {
  return normalizeName(text).replace(ASSET_HASH_RUN, ASSET_HASH);
}

function normalizeName(name: string): string {
  for (const [pattern, replacement] of HASH_DERIVED_NAMES) {
    if (pattern.test(name)) return name.replace(pattern, replacement);
  }
  return name;
}
