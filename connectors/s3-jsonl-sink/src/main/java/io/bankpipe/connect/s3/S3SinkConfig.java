package io.bankpipe.connect.s3;

import io.bankpipe.connect.common.Passwords;
import io.bankpipe.connect.common.TextRule;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Configuration of the S3 JSON-lines sink; the option names follow the common aws.s3.* style. */
public final class S3SinkConfig extends AbstractConfig {
  public static final String BUCKET = "aws.s3.bucket.name";
  public static final String REGION = "aws.s3.region";
  public static final String PREFIX = "aws.s3.prefix";
  public static final String HOUR_FOLDER_PATTERN = "aws.s3.hour.folder.pattern";
  public static final String WATERMARK_FOLDER = "aws.s3.watermark.folder";
  public static final String ENDPOINT = "aws.s3.endpoint";
  public static final String PATH_STYLE = "aws.s3.path.style.access.enabled";
  public static final String ACCESS_KEY_ID = "aws.access.key.id";
  public static final String SECRET_ACCESS_KEY = "aws.secret.access.key";
  public static final String SSE_ALGORITHM = "aws.s3.sse.algorithm";
  public static final String SSE_KMS_KEY_ID = "aws.s3.sse.kms.key.id";
  public static final String COMPRESSION = "file.compression.type";
  public static final String MAX_RECORDS = "file.max.records";
  public static final String MAX_BYTES = "file.max.bytes";
  public static final String ROTATE_INTERVAL_MS = "file.rotate.interval.ms";
  public static final String TIMESTAMP_SOURCE = "timestamp.source";

  /** Which clock decides the hour folder of a record. */
  public enum TimestampSource {
    /** The Kafka record timestamp: stable across retries and replays, so rewrites hit the same key. */
    RECORD,
    /** The time the sink processes the record. */
    WALLCLOCK
  }

  public enum Compression {
    NONE(""),
    GZIP(".gz");

    final String extension;

    Compression(String extension) {
      this.extension = extension;
    }
  }

  // The validators come before CONFIG_DEF: static fields initialise in order of declaration.
  private static final TextRule PREFIX_RULE = TextRule.of("empty or ending with '/'", text -> {
    String prefix = text.trim();
    boolean folder = !prefix.startsWith("/") && (prefix.isEmpty() || prefix.endsWith("/"));
    return folder ? null : "Must be empty or a folder such as 'data/' (no leading '/', trailing '/').";
  });

  private static final TextRule HOUR_FOLDER_RULE =
      TextRule.of("a folder pattern with {year:4}, {month:2}, {day:2}, {hour:2}", text -> {
        try {
          HourFolderPattern.parse(text.trim());
          return null;
        } catch (IllegalArgumentException e) {
          return "Must be " + e.getMessage().replaceFirst("^must be ", "");
        }
      });

  private static final TextRule FOLDER_RULE = TextRule.of("one folder name ending with '/'",
      text -> text.trim().matches("[A-Za-z0-9_.=-]+/") ? null
          : "Must be one folder name ending with '/', e.g. '_watermarks/'.");

  private static final TextRule ENDPOINT_RULE =
      TextRule.of("empty or http(s)://host[:port]", S3SinkConfig::endpointProblem);

  public static final ConfigDef CONFIG_DEF = buildConfigDef();

  public S3SinkConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
    checkCrossFieldRules();
  }

  private static ConfigDef buildConfigDef() {
    String s3 = "S3";
    String files = "Files";
    int s = 0;
    int f = 0;
    return new ConfigDef()
        .define(BUCKET, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyStringWithoutControlChars(),
            Importance.HIGH, "Bucket of the raw zone.", s3, ++s, Width.MEDIUM, "Bucket")
        .define(REGION, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyStringWithoutControlChars(),
            Importance.HIGH, "AWS region of the bucket, e.g. eu-central-1.", s3, ++s, Width.SHORT, "Region")
        // The layout values have no default here: the pipeline's layout file defines them once and the
        // rendered connector configuration (connectors/connector-config.ts) always sets them.
        .define(PREFIX, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, PREFIX_RULE, Importance.HIGH,
            "Key prefix under which the hour folders are written; ends with '/' (or is empty).",
            s3, ++s, Width.MEDIUM, "Key prefix")
        .define(HOUR_FOLDER_PATTERN, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, HOUR_FOLDER_RULE,
            Importance.HIGH, "Hour folder under the key prefix, with the UTC fields {year:4}, {month:2}, {day:2}, "
                + "{hour:2} (zero-padded to the digit count); ends with '/'.",
            s3, ++s, Width.LONG, "Hour folder pattern")
        .define(WATERMARK_FOLDER, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, FOLDER_RULE, Importance.HIGH,
            "Folder under the key prefix for the per-partition watermarks; should start with '_' so Spark and "
                + "Glue do not read it as data.", s3, ++s, Width.MEDIUM, "Watermark folder")
        .define(ENDPOINT, Type.STRING, "", ENDPOINT_RULE, Importance.LOW,
            "S3 endpoint URL override for an S3-compatible server (local twin); empty on AWS.",
            s3, ++s, Width.MEDIUM, "Endpoint")
        .define(PATH_STYLE, Type.BOOLEAN, false, Importance.LOW,
            "Use path-style URLs (http://host/bucket/key); needed by most local S3 servers.",
            s3, ++s, Width.SHORT, "Path-style access")
        .define(ACCESS_KEY_ID, Type.PASSWORD, null, Importance.MEDIUM,
            "Static access key id. Leave unset on AWS: the connector's IAM role is used through the default "
                + "credential chain. Set both keys only for a local S3 server (via a config-provider reference).",
            s3, ++s, Width.MEDIUM, "Access key id")
        .define(SECRET_ACCESS_KEY, Type.PASSWORD, null, Importance.MEDIUM,
            "Static secret access key; see " + ACCESS_KEY_ID + ".", s3, ++s, Width.MEDIUM, "Secret access key")
        .define(SSE_ALGORITHM, Type.STRING, "none", ConfigDef.CaseInsensitiveValidString.in("none", "AES256", "aws:kms"),
            Importance.MEDIUM, "Server-side encryption to request per object; none = the bucket's default "
                + "encryption applies.", s3, ++s, Width.SHORT, "SSE algorithm")
        .define(SSE_KMS_KEY_ID, Type.STRING, "", Importance.MEDIUM,
            "KMS key id/ARN for " + SSE_ALGORITHM + "=aws:kms; empty = the bucket's / AWS managed key.",
            s3, ++s, Width.LONG, "KMS key")
        .define(COMPRESSION, Type.STRING, "none", ConfigDef.CaseInsensitiveValidString.in("none", "gzip"),
            Importance.MEDIUM, "Object compression; gzip adds .gz to the key.", files, ++f, Width.SHORT, "Compression")
        .define(MAX_RECORDS, Type.INT, 10_000, ConfigDef.Range.between(1, 10_000_000), Importance.MEDIUM,
            "An object is written once it holds this many records.", files, ++f, Width.SHORT, "Records per object")
        .define(MAX_BYTES, Type.LONG, 32L * 1024 * 1024, ConfigDef.Range.between(1024, 256L * 1024 * 1024),
            Importance.LOW, "...or once its uncompressed size reaches this many bytes (bounds memory per open "
                + "object).", files, ++f, Width.SHORT, "Bytes per object")
        .define(ROTATE_INTERVAL_MS, Type.LONG, 300_000L, ConfigDef.Range.between(1_000, 86_400_000),
            Importance.MEDIUM, "...or once its first record has waited this long, so quiet periods still reach "
                + "S3 promptly.", files, ++f, Width.SHORT, "Rotate interval")
        .define(TIMESTAMP_SOURCE, Type.STRING, "record", ConfigDef.CaseInsensitiveValidString.in("record", "wallclock"),
            Importance.MEDIUM, "Clock that picks the year/month/day/hour folder (UTC): record = the Kafka record "
                + "timestamp (stable on replays), wallclock = processing time.", files, ++f, Width.SHORT,
            "Timestamp source");
  }

  private void checkCrossFieldRules() {
    boolean hasId = accessKeyId() != null;
    boolean hasSecret = secretAccessKey() != null;
    if (hasId != hasSecret) {
      throw new ConfigException(hasId ? SECRET_ACCESS_KEY : ACCESS_KEY_ID, "(not set)",
          "Set both " + ACCESS_KEY_ID + " and " + SECRET_ACCESS_KEY + " (local S3 only), or neither to use the "
              + "IAM role / default AWS credential chain.");
    }
    if (!sseKmsKeyId().isEmpty() && !"aws:kms".equals(sseAlgorithm())) {
      throw new ConfigException(SSE_KMS_KEY_ID, sseKmsKeyId(), "Only used with " + SSE_ALGORITHM + "=aws:kms.");
    }
  }

  public String bucket() {
    return getString(BUCKET).trim();
  }

  public String region() {
    return getString(REGION).trim();
  }

  public String prefix() {
    return getString(PREFIX).trim();
  }

  HourFolderPattern hourFolderPattern() {
    return HourFolderPattern.parse(getString(HOUR_FOLDER_PATTERN).trim());
  }

  public String watermarkFolder() {
    return getString(WATERMARK_FOLDER).trim();
  }

  public String endpoint() {
    return getString(ENDPOINT).trim();
  }

  public boolean pathStyle() {
    return getBoolean(PATH_STYLE);
  }

  public Password accessKeyId() {
    return Passwords.nonEmpty(getPassword(ACCESS_KEY_ID));
  }

  public Password secretAccessKey() {
    return Passwords.nonEmpty(getPassword(SECRET_ACCESS_KEY));
  }

  /** "none", "AES256" or "aws:kms". */
  public String sseAlgorithm() {
    String value = getString(SSE_ALGORITHM).trim();
    return value.equalsIgnoreCase("aes256") ? "AES256" : value.toLowerCase(Locale.ROOT);
  }

  public String sseKmsKeyId() {
    return getString(SSE_KMS_KEY_ID).trim();
  }

  public Compression compression() {
    return Compression.valueOf(getString(COMPRESSION).trim().toUpperCase(Locale.ROOT));
  }

  public int maxRecords() {
    return getInt(MAX_RECORDS);
  }

  public long maxBytes() {
    return getLong(MAX_BYTES);
  }

  public long rotateIntervalMs() {
    return getLong(ROTATE_INTERVAL_MS);
  }

  public TimestampSource timestampSource() {
    return TimestampSource.valueOf(getString(TIMESTAMP_SOURCE).trim().toUpperCase(Locale.ROOT));
  }

  private static String endpointProblem(String text) {
    String endpoint = text.trim();
    if (endpoint.isEmpty()) {
      return null;
    }
    String problem = "Not an endpoint URL like http://127.0.0.1:9000 (%s).";
    try {
      URI uri = new URI(endpoint);
      boolean http = uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
      return http ? null : String.format(problem, "needs http(s)://host[:port]");
    } catch (URISyntaxException e) {
      return String.format(problem, e.getReason());
    }
  }
}
