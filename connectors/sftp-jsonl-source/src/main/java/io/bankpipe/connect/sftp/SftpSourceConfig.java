package io.bankpipe.connect.sftp;

import io.bankpipe.connect.common.Passwords;
import io.bankpipe.connect.common.TextRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * Configuration of the SFTP JSON-lines source connector. Every rule that can be checked without a
 * network connection is checked here, so a bad configuration fails when the connector is created
 * (REST validate / MSK Connect create) with a message that names the key and the fix.
 */
public final class SftpSourceConfig extends AbstractConfig {

  public static final String SFTP_HOST = "sftp.host";
  public static final String SFTP_PORT = "sftp.port";
  public static final String SFTP_USERNAME = "sftp.username";
  public static final String SFTP_PASSWORD = "sftp.password";
  public static final String SFTP_PRIVATE_KEY = "sftp.private.key";
  public static final String SFTP_PRIVATE_KEY_PASSPHRASE = "sftp.private.key.passphrase";
  public static final String SFTP_KNOWN_HOSTS = "sftp.known.hosts";
  public static final String SFTP_HOST_KEY_FINGERPRINT = "sftp.host.key.fingerprint";
  public static final String SFTP_STRICT_HOST_KEY_CHECKING = "sftp.strict.host.key.checking";
  public static final String SFTP_CONNECT_TIMEOUT_MS = "sftp.connect.timeout.ms";

  public static final String INPUT_DIR = "input.dir";
  public static final String INPUT_FILE_PATTERN = "input.file.pattern";
  public static final String INPUT_FILE_MIN_AGE_MS = "input.file.min.age.ms";
  public static final String FINISHED_FILE_ACTION = "finished.file.action";
  public static final String PROCESSED_DIR = "processed.dir";

  public static final String TOPIC = "topic";
  public static final String RECORD_KEY = "record.key";
  public static final String POLL_INTERVAL_MS = "poll.interval.ms";
  public static final String BATCH_SIZE = "batch.size";

  /** Set by the connector for each task; not meant for users. */
  static final String TASK_INDEX = "task.index";

  static final String TASK_COUNT = "task.count";

  static final String DEFAULT_FILE_PATTERN = ".*\\.jsonl?$";

  /** What happens to a file once every record read from it has been acknowledged by Kafka. */
  public enum FinishedFileAction {
    MOVE,
    DELETE,
    LEAVE;

    static FinishedFileAction parse(String value) {
      return FinishedFileAction.valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** What the Kafka record key is. */
  public enum RecordKey {
    NONE,
    FILE_NAME;

    static RecordKey parse(String value) {
      return RecordKey.valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** Rejects relative paths: SFTP servers resolve them against the login directory, a silent surprise. */
  private static final TextRule ABSOLUTE_DIRECTORY = TextRule.of("absolute path",
      text -> text.trim().startsWith("/") ? null
          : "Must be an absolute directory path on the SFTP server, e.g. /upload/transactions.");

  private static final TextRule REGULAR_EXPRESSION = TextRule.of("Java regular expression", text -> {
    try {
      Pattern.compile(text);
      return null;
    } catch (PatternSyntaxException e) {
      return "Not a valid Java regular expression: " + e.getDescription();
    }
  });

  // After the validators it uses: static fields initialise in order of declaration.
  public static final ConfigDef CONFIG_DEF = buildConfigDef();

  public SftpSourceConfig(Map<String, String> props) {
    super(CONFIG_DEF, props);
    checkCrossFieldRules();
  }

  private static ConfigDef buildConfigDef() {
    String server = "SFTP server";
    String files = "Files";
    String kafka = "Kafka";
    int s = 0;
    int f = 0;
    int k = 0;
    return new ConfigDef()
        .define(SFTP_HOST, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyStringWithoutControlChars(),
            Importance.HIGH, "Host name or IP address of the SFTP server.", server, ++s, Width.MEDIUM, "SFTP host")
        .define(SFTP_PORT, Type.INT, 22, ConfigDef.Range.between(1, 65535), Importance.MEDIUM,
            "TCP port of the SFTP server.", server, ++s, Width.SHORT, "SFTP port")
        .define(SFTP_USERNAME, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
            Importance.HIGH, "User name to log in with.", server, ++s, Width.MEDIUM, "SFTP user")
        .define(SFTP_PASSWORD, Type.PASSWORD, null, Importance.HIGH,
            "Password. Give a config-provider reference (for example ${secretsmanager:<secret>:password}), "
                + "never the value itself. Either this or " + SFTP_PRIVATE_KEY + " is required.",
            server, ++s, Width.MEDIUM, "SFTP password")
        .define(SFTP_PRIVATE_KEY, Type.PASSWORD, null, Importance.HIGH,
            "Private key in OpenSSH or PEM text form, as a config-provider reference. "
                + "Either this or " + SFTP_PASSWORD + " is required.",
            server, ++s, Width.LONG, "SFTP private key")
        .define(SFTP_PRIVATE_KEY_PASSPHRASE, Type.PASSWORD, null, Importance.LOW,
            "Passphrase of the private key, if it has one.", server, ++s, Width.MEDIUM, "Key passphrase")
        .define(SFTP_KNOWN_HOSTS, Type.STRING, "", Importance.HIGH,
            "known_hosts lines (OpenSSH format) that the server's host key must match.",
            server, ++s, Width.LONG, "known_hosts")
        .define(SFTP_HOST_KEY_FINGERPRINT, Type.LIST, "", Importance.HIGH,
            "Accepted SHA-256 host key fingerprints as printed by `ssh-keygen -lf`, e.g. SHA256:abc...; "
                + "comma-separated to allow a key rotation.",
            server, ++s, Width.LONG, "Host key fingerprint")
        .define(SFTP_STRICT_HOST_KEY_CHECKING, Type.BOOLEAN, true, Importance.HIGH,
            "Verify the server's host key against " + SFTP_KNOWN_HOSTS + " or " + SFTP_HOST_KEY_FINGERPRINT
                + ". Only set false in a throw-away test environment: it allows man-in-the-middle attacks.",
            server, ++s, Width.SHORT, "Strict host key checking")
        .define(SFTP_CONNECT_TIMEOUT_MS, Type.INT, 15_000, ConfigDef.Range.between(1_000, 300_000),
            Importance.LOW, "Timeout for connecting and logging in.", server, ++s, Width.SHORT, "Connect timeout")
        .define(INPUT_DIR, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, ABSOLUTE_DIRECTORY, Importance.HIGH,
            "Absolute directory on the SFTP server to read files from (not recursive).",
            files, ++f, Width.LONG, "Input directory")
        .define(INPUT_FILE_PATTERN, Type.STRING, DEFAULT_FILE_PATTERN, REGULAR_EXPRESSION, Importance.MEDIUM,
            "Java regular expression a file name must match in full to be read; other files are left alone.",
            files, ++f, Width.MEDIUM, "File name pattern")
        .define(INPUT_FILE_MIN_AGE_MS, Type.LONG, 10_000L, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
            "A file is only read once its modification time is at least this old, so a file that is still "
                + "being uploaded is not read half-way. Uploaders should still write to a name that does "
                + "not match the pattern and rename when done.",
            files, ++f, Width.SHORT, "Minimum file age")
        .define(FINISHED_FILE_ACTION, Type.STRING, "move",
            ConfigDef.CaseInsensitiveValidString.in("move", "delete", "leave"), Importance.MEDIUM,
            "What to do with a file once all its records are acknowledged by Kafka: move it to "
                + PROCESSED_DIR + ", delete it, or leave it (then it is kept from being re-read only by the "
                + "stored source offset).",
            files, ++f, Width.SHORT, "Finished file action")
        .define(PROCESSED_DIR, Type.STRING, "", Importance.MEDIUM,
            "Absolute directory the finished files are moved to (created if missing). Required when "
                + FINISHED_FILE_ACTION + "=move. Must not be the input directory.",
            files, ++f, Width.LONG, "Processed directory")
        .define(TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyStringWithoutControlChars(),
            Importance.HIGH, "Kafka topic to write one record per line to.", kafka, ++k, Width.MEDIUM, "Topic")
        .define(RECORD_KEY, Type.STRING, "none", ConfigDef.CaseInsensitiveValidString.in("none", "file_name"),
            Importance.LOW,
            "Record key: none (records spread over all partitions) or file_name (all lines of a file go to one "
                + "partition, in order).",
            kafka, ++k, Width.SHORT, "Record key")
        .define(POLL_INTERVAL_MS, Type.LONG, 5_000L, ConfigDef.Range.between(100, 3_600_000), Importance.MEDIUM,
            "How long to wait before listing the directory again when there is nothing to read.",
            kafka, ++k, Width.SHORT, "Poll interval")
        .define(BATCH_SIZE, Type.INT, 1_000, ConfigDef.Range.between(1, 100_000), Importance.LOW,
            "Maximum number of records returned by one poll.", kafka, ++k, Width.SHORT, "Batch size")
        .defineInternal(TASK_INDEX, Type.INT, 0, Importance.LOW)
        .defineInternal(TASK_COUNT, Type.INT, 1, Importance.LOW);
  }

  /** Rules that involve more than one key; ConfigDef validators only see one value at a time. */
  private void checkCrossFieldRules() {
    if (password() == null && privateKey() == null) {
      throw new ConfigException(SFTP_PASSWORD, "(not set)",
          "Set " + SFTP_PASSWORD + " or " + SFTP_PRIVATE_KEY
              + " (as a config-provider reference such as ${secretsmanager:<secret>:password}); neither is set.");
    }
    if (strictHostKeyChecking() && knownHosts().isEmpty() && hostKeyFingerprints().isEmpty()) {
      throw new ConfigException(SFTP_STRICT_HOST_KEY_CHECKING, "true",
          "Host key checking is on but no trusted key is given: set " + SFTP_HOST_KEY_FINGERPRINT
              + " (output of `ssh-keygen -lf <host key>.pub`, e.g. SHA256:...) or " + SFTP_KNOWN_HOSTS
              + " (lines of `ssh-keyscan -p <port> <host>`). Only for a throw-away test server set "
              + SFTP_STRICT_HOST_KEY_CHECKING + "=false.");
    }
    for (String fingerprint : hostKeyFingerprints()) {
      if (!fingerprint.startsWith("SHA256:") || fingerprint.length() < 20) {
        throw new ConfigException(SFTP_HOST_KEY_FINGERPRINT, fingerprint,
            "Expected a SHA-256 fingerprint like SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 "
                + "(from `ssh-keygen -lf`).");
      }
    }
    if (finishedFileAction() == FinishedFileAction.MOVE) {
      String processed = processedDir();
      if (processed.isEmpty()) {
        throw new ConfigException(PROCESSED_DIR, "",
            "Required when " + FINISHED_FILE_ACTION + "=move: give an absolute directory such as "
                + inputDir() + "/processed, or choose " + FINISHED_FILE_ACTION + "=delete or leave.");
      }
      if (!processed.startsWith("/")) {
        throw new ConfigException(PROCESSED_DIR, processed, "Must be an absolute path starting with '/'.");
      }
      if (normalizeDir(processed).equals(normalizeDir(inputDir()))) {
        throw new ConfigException(PROCESSED_DIR, processed,
            "Must differ from " + INPUT_DIR + ", else finished files would be read again.");
      }
    }
    if (taskIndex() < 0 || taskIndex() >= taskCount()) {
      throw new ConfigException(TASK_INDEX, taskIndex(), "Must be between 0 and task.count - 1.");
    }
  }

  static String normalizeDir(String dir) {
    String d = dir.trim();
    while (d.length() > 1 && d.endsWith("/")) {
      d = d.substring(0, d.length() - 1);
    }
    return d;
  }

  public String host() {
    return getString(SFTP_HOST).trim();
  }

  public int port() {
    return getInt(SFTP_PORT);
  }

  public String username() {
    return getString(SFTP_USERNAME);
  }

  /** Null when not set or empty. */
  public Password password() {
    return Passwords.nonEmpty(getPassword(SFTP_PASSWORD));
  }

  public Password privateKey() {
    return Passwords.nonEmpty(getPassword(SFTP_PRIVATE_KEY));
  }

  public Password privateKeyPassphrase() {
    return Passwords.nonEmpty(getPassword(SFTP_PRIVATE_KEY_PASSPHRASE));
  }

  public String knownHosts() {
    return getString(SFTP_KNOWN_HOSTS).trim();
  }

  public List<String> hostKeyFingerprints() {
    List<String> out = new ArrayList<>();
    for (String f : getList(SFTP_HOST_KEY_FINGERPRINT)) {
      if (!f.trim().isEmpty()) {
        out.add(f.trim());
      }
    }
    return out;
  }

  public boolean strictHostKeyChecking() {
    return getBoolean(SFTP_STRICT_HOST_KEY_CHECKING);
  }

  public int connectTimeoutMs() {
    return getInt(SFTP_CONNECT_TIMEOUT_MS);
  }

  public String inputDir() {
    return normalizeDir(getString(INPUT_DIR));
  }

  public Pattern fileNamePattern() {
    return Pattern.compile(getString(INPUT_FILE_PATTERN));
  }

  public long minFileAgeMs() {
    return getLong(INPUT_FILE_MIN_AGE_MS);
  }

  public FinishedFileAction finishedFileAction() {
    return FinishedFileAction.parse(getString(FINISHED_FILE_ACTION));
  }

  public String processedDir() {
    String dir = getString(PROCESSED_DIR).trim();
    return dir.isEmpty() ? "" : normalizeDir(dir);
  }

  public String topic() {
    return getString(TOPIC).trim();
  }

  public RecordKey recordKey() {
    return RecordKey.parse(getString(RECORD_KEY));
  }

  public long pollIntervalMs() {
    return getLong(POLL_INTERVAL_MS);
  }

  public int batchSize() {
    return getInt(BATCH_SIZE);
  }

  public int taskIndex() {
    return getInt(TASK_INDEX);
  }

  public int taskCount() {
    return getInt(TASK_COUNT);
  }
}
