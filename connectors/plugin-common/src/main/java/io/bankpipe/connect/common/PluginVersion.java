package io.bankpipe.connect.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** A plugin's version, read from a properties resource that Maven filters at build time. */
public final class PluginVersion {
  /** What Connect shows when the resource is missing: the version is informational and never stops a plugin. */
  public static final String UNKNOWN = "unknown";

  private PluginVersion() {}

  /**
   * The {@code version} property of {@code resource} (for example {@code version=${project.version}}),
   * looked up through {@code pluginClass}, so the plugin's own jar answers even when another plugin on
   * the worker ships a resource of the same name.
   */
  public static String read(Class<?> pluginClass, String resource) {
    try (InputStream in = pluginClass.getResourceAsStream(resource)) {
      if (in == null) {
        return UNKNOWN;
      }
      Properties props = new Properties();
      props.load(in);
      return props.getProperty("version", UNKNOWN);
    } catch (IOException e) {
      return UNKNOWN;
    }
  }
}
