package io.bankpipe.connect.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The plugin version, read from a resource that Maven filters at build time. */
final class Version {
  private static final String VERSION = load();

  private Version() {}

  static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/s3-jsonl-sink-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
