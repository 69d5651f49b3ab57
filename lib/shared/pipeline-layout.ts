/**
 * The pipeline's shared names and paths, read from their one definition,
 * contracts/pipeline-layout.json: the project slug, the Kafka topic and each zone's S3 layout.
 *
 * No CDK or AWS imports: the Lambdas (esbuild inlines the JSON), the generator and the
 * connector-config renderer import it as well as the CDK app.
 */
import layoutDocument from '../../contracts/pipeline-layout.json';

/** Where the layout is defined, for error messages. */
export const PIPELINE_LAYOUT_SOURCE = 'contracts/pipeline-layout.json';

export interface PipelineLayout {
  /** The project's name in resource names (lowercase letters only). */
  readonly slug: string;
  /** Kafka topic the SFTP source writes and the S3 sink and live-alerts consumer read. */
  readonly transactionsTopic: string;
  readonly zones: {
    readonly raw: {
      /** Key prefix of the S3 sink's hour folders, e.g. `transactions/`. */
      readonly transactionsPrefix: string;
      /** One UTC hour's folder under the prefix, a pattern with fields year, month, day, hour. */
      readonly hourPartition: string;
      /** Folder of the sink's watermarks, under the transactions prefix. */
      readonly sinkWatermarkFolder: string;
    };
    readonly processed: {
      readonly transactionsPrefix: string;
      readonly transactionsPartitionColumn: string;
      readonly reportsPrefix: string;
      readonly manifestFolder: string;
      /** The live fraud-alerts consumer's archive of raised alerts, e.g. `live_fraud_alerts/`. */
      readonly liveAlertsPrefix: string;
    };
    readonly quarantine: {
      /** One run's folder, a pattern with the field runId. */
      readonly runPartition: string;
    };
  };
}

const SLUG = /^[a-z]{2,16}$/;
const FOLDER = /^[A-Za-z0-9_.=-]+\/$/;
const PATTERN = /^([A-Za-z0-9_.=-]|\{[a-zA-Z]+(:[1-9])?\})+(\/([A-Za-z0-9_.=-]|\{[a-zA-Z]+(:[1-9])?\})+)*\/$/;
const FIELD = /\{([a-zA-Z]+)(?::([1-9]))?\}/g;
const HOUR_FIELDS = ['year', 'month', 'day', 'hour'] as const;

/**
 * Checks a layout document and returns it typed; an error names the key, the value and the rule,
 * so a bad edit of the layout file fails at synth, in tests and at Lambda cold start alike.
 */
export function readPipelineLayout(document: unknown, source = PIPELINE_LAYOUT_SOURCE): PipelineLayout {
  const fail = (key: string, value: unknown, rule: string): never => {
    throw new Error(`${source}: ${key} is ${JSON.stringify(value)}; it must be ${rule}`);
  };
  const at = (key: string): unknown =>
    key
      .split('.')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
  const text = (key: string, rule: RegExp, description: string): string => {
    const value = at(key);
    return typeof value === 'string' && rule.test(value) ? value : fail(key, value, description);
  };
  const folder = (key: string): string =>
    text(key, FOLDER, "a folder like 'transactions/' (no leading '/', one trailing '/')");
  const pattern = (key: string, fields: readonly string[]): string => {
    const value = text(
      key,
      PATTERN,
      "a folder pattern like 'year={year:4}/' (fields in braces, one trailing '/')",
    );
    const named = [...value.matchAll(FIELD)].map((match) => match[1]);
    if (named.join() !== fields.join())
      fail(key, value, `a folder pattern with the fields {${fields.join('}, {')}} in this order`);
    return value;
  };
  const layout: PipelineLayout = {
    slug: text('slug', SLUG, "2 to 16 lowercase letters, e.g. 'bankpipe'"),
    transactionsTopic: text('transactionsTopic', /^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name'),
    zones: {
      raw: {
        transactionsPrefix: folder('zones.raw.transactionsPrefix'),
        hourPartition: pattern('zones.raw.hourPartition', HOUR_FIELDS),
        sinkWatermarkFolder: folder('zones.raw.sinkWatermarkFolder'),
      },
      processed: {
        transactionsPrefix: folder('zones.processed.transactionsPrefix'),
        transactionsPartitionColumn: text(
          'zones.processed.transactionsPartitionColumn',
          /^[a-z_]+$/,
          'a column name',
        ),
        reportsPrefix: folder('zones.processed.reportsPrefix'),
        manifestFolder: folder('zones.processed.manifestFolder'),
        liveAlertsPrefix: folder('zones.processed.liveAlertsPrefix'),
      },
      quarantine: { runPartition: pattern('zones.quarantine.runPartition', ['runId']) },
    },
  };
  return layout;
}

/** Fills a partition pattern: `{name:N}` takes a number zero-padded to N digits, `{name}` the value as it is. */
export function formatPartition(pattern: string, values: Readonly<Record<string, string | number>>): string {
  return pattern.replace(FIELD, (_whole, name: string, digits: string | undefined) => {
    const value = values[name];
    if (value === undefined) throw new Error(`partition pattern ${pattern} needs a value for {${name}}`);
    return digits === undefined ? String(value) : String(value).padStart(Number(digits), '0');
  });
}

/**
 * A regular-expression source matching a filled pattern: `{name:N}` N digits, `{name}` one folder
 * name; with `capture`, each field is a named group.
 */
export function partitionPatternSource(pattern: string, options: { capture?: boolean } = {}): string {
  let source = '';
  let last = 0;
  for (const match of pattern.matchAll(FIELD)) {
    source += escapeRegExp(pattern.slice(last, match.index));
    const field = match[2] === undefined ? '[^/]+' : `\\d{${match[2]}}`;
    source += options.capture ? `(?<${match[1]}>${field})` : field;
    last = (match.index ?? 0) + match[0].length;
  }
  return source + escapeRegExp(pattern.slice(last));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** `bankpipe` -> `Bankpipe`: the slug where a name must be PascalCase (metric namespaces, ids). */
export function pascalCaseOf(slug: string): string {
  return slug.charAt(0).toUpperCase() + slug.slice(1);
}

/** The layout of this repository. */
export const PIPELINE_LAYOUT: PipelineLayout = readPipelineLayout(layoutDocument);

/** The project's slug, e.g. in `<stage>-bankpipe-run` or the Java package `io.bankpipe`. */
export const PROJECT_SLUG = PIPELINE_LAYOUT.slug;
/** The slug in PascalCase, e.g. the CloudWatch metric namespace. */
export const PROJECT_PASCAL_NAME = pascalCaseOf(PROJECT_SLUG);

/** Physical-name prefix of one stage's resources: `<stage>-<slug>`, e.g. `dev-bankpipe`. */
export function stageResourcePrefix(stage: string): string {
  return `${stage}-${PROJECT_SLUG}`;
}

/** The transactions topic. */
export const TRANSACTIONS_TOPIC = PIPELINE_LAYOUT.transactionsTopic;

const { raw, processed, quarantine } = PIPELINE_LAYOUT.zones;

/** Key prefix of the raw zone's transactions; the hour folders and the sink's watermarks are under it. */
export const RAW_TRANSACTIONS_PREFIX = raw.transactionsPrefix;
/** The raw hour folder pattern, relative to RAW_TRANSACTIONS_PREFIX (fields year, month, day, hour). */
export const RAW_HOUR_PARTITION = raw.hourPartition;
/** Folder name of the sink's watermarks. */
export const SINK_WATERMARK_FOLDER = raw.sinkWatermarkFolder;
/** Key prefix of the sink's watermarks: `<raw transactions prefix><watermark folder>`. */
export const SINK_WATERMARK_PREFIX = `${RAW_TRANSACTIONS_PREFIX}${SINK_WATERMARK_FOLDER}`;

/** Raw-zone key prefix of the UTC hour that starts at `hourStart`. */
export function rawHourPrefix(hourStart: Date): string {
  return `${RAW_TRANSACTIONS_PREFIX}${formatPartition(RAW_HOUR_PARTITION, {
    year: hourStart.getUTCFullYear(),
    month: hourStart.getUTCMonth() + 1,
    day: hourStart.getUTCDate(),
    hour: hourStart.getUTCHours(),
  })}`;
}

/** Matches exactly one raw hour prefix (as rawHourPrefix writes it). */
export const RAW_HOUR_PREFIX_PATTERN = new RegExp(
  `^${escapeRegExp(RAW_TRANSACTIONS_PREFIX)}${partitionPatternSource(RAW_HOUR_PARTITION)}$`,
);

/** The raw hour prefix in words, for error messages: `transactions/year=YYYY/month=MM/day=DD/hour=HH/`. */
export const RAW_HOUR_PREFIX_EXAMPLE = `${RAW_TRANSACTIONS_PREFIX}${formatPartition(RAW_HOUR_PARTITION, {
  year: 'YYYY',
  month: 'MM',
  day: 'DD',
  hour: 'HH',
})}`;

/** Processed zone: clean transactions, reports, run manifests. */
export const PROCESSED_TRANSACTIONS_PREFIX = processed.transactionsPrefix;
export const PROCESSED_TRANSACTIONS_PARTITION_COLUMN = processed.transactionsPartitionColumn;
export const PROCESSED_REPORTS_PREFIX = processed.reportsPrefix;
export const MANIFEST_FOLDER = processed.manifestFolder;
/** The live fraud-alerts archive (Hive partitions `alert_date=YYYY-MM-DD/`). */
export const LIVE_ALERTS_PREFIX = processed.liveAlertsPrefix;

/** Key of a run's manifest in the processed bucket. */
export function manifestKey(runId: string): string {
  return `${MANIFEST_FOLDER}${runId}.json`;
}

/** Quarantine folder of one run, relative to the quarantine zone. */
export function quarantineRunFolder(runId: string): string {
  return formatPartition(quarantine.runPartition, { runId });
}
