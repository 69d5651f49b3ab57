package io.bankpipe.connect.common;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * What a connector does with its settings, written once for the source and the sink (Kafka Connect
 * gives a SourceConnector and a SinkConnector no shared base class of ours): check them when the
 * connector starts, hand every task a copy, and add the rules that span several keys to the per-key
 * validation Connect does by itself.
 */
public final class ConnectorSettings {
  /** ConfigException's message names the key: "Invalid value X for configuration KEY: why". */
  private static final Pattern NAMED_KEY = Pattern.compile(" for configuration ([^:]+):");

  private final Function<Map<String, String>, ? extends AbstractConfig> parse;
  private final String fallbackKey;
  private Map<String, String> started = Map.of();

  /** Adds what differs between the tasks to one task's copy of the settings. */
  @FunctionalInterface
  public interface PerTask {
    void addTo(Map<String, String> taskProps, int taskIndex, int taskCount);
  }

  /**
   * @param parse the connector's config class constructor: it checks every rule and throws
   *     ConfigException with the message for the user
   * @param fallbackKey the key a cross-key error is shown under when its message names no key
   */
  public ConnectorSettings(Function<Map<String, String>, ? extends AbstractConfig> parse, String fallbackKey) {
    this.parse = parse;
    this.fallbackKey = fallbackKey;
  }

  /** Checks the settings, so a bad configuration fails at creation with its message rather than in every task. */
  public void start(Map<String, String> props) {
    parse.apply(props);
    started = new HashMap<>(props);
  }

  /** One copy of the started settings per task, at least one. */
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return taskConfigs(maxTasks, (taskProps, taskIndex, taskCount) -> {});
  }

  /** One copy of the started settings per task, at least one, each completed by {@code perTask}. */
  public List<Map<String, String>> taskConfigs(int maxTasks, PerTask perTask) {
    int count = Math.max(1, maxTasks);
    List<Map<String, String>> configs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Map<String, String> taskProps = new HashMap<>(started);
      perTask.addTo(taskProps, i, count);
      configs.add(taskProps);
    }
    return configs;
  }

  /**
   * Adds the cross-key rules to Connect's per-key result. They run only when every key passed on its
   * own (a cross-key message about a key that is itself wrong would only confuse); a failure is shown
   * under the key its message names, else under the fallback key.
   */
  public Config validate(Config perKeyResult, Map<String, String> props) {
    boolean perKeyErrors = perKeyResult.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
    if (!perKeyErrors) {
      try {
        parse.apply(props);
      } catch (ConfigException e) {
        String message = e.getMessage();
        Optional<ConfigValue> named = namedKey(message).flatMap(key -> valueOf(perKeyResult, key));
        named.or(() -> valueOf(perKeyResult, fallbackKey)).ifPresent(value -> value.addErrorMessage(message));
      }
    }
    return perKeyResult;
  }

  private static Optional<String> namedKey(String message) {
    Matcher m = NAMED_KEY.matcher(message == null ? "" : message);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static Optional<ConfigValue> valueOf(Config result, String key) {
    return result.configValues().stream().filter(v -> v.name().equals(key)).findFirst();
  }
}
