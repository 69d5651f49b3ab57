package io.bankpipe.connect.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class ConnectorSettingsTest {
  private static final ConfigDef DEF = new ConfigDef()
      .define("host", Type.STRING, Importance.HIGH, "server")
      .define("low", Type.INT, 0, Importance.LOW, "lower bound")
      .define("high", Type.INT, 10, Importance.LOW, "upper bound");

  /** A config with one cross-key rule that names its key, and one that names none. */
  static final class RangeConfig extends AbstractConfig {
    RangeConfig(Map<String, String> props) {
      super(DEF, props);
      if (getInt("low") > getInt("high")) {
        throw new ConfigException("high", getInt("high"), "Must not be below low.");
      }
      if (getInt("low") == getInt("high")) {
        throw new ConfigException("An empty range reads nothing.");
      }
    }
  }

  private final ConnectorSettings settings = new ConnectorSettings(RangeConfig::new, "host");

  private Map<String, List<String>> errors(Map<String, String> props) {
    Config perKey = new Config(DEF.validate(props));
    return settings.validate(perKey, props).configValues().stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));
  }

  @Test
  void startRefusesABadConfiguration() {
    assertThrows(ConfigException.class, () -> settings.start(Map.of("host", "h", "low", "5", "high", "1")));
  }

  @Test
  void everyTaskGetsACopyAndAtLeastOneTaskRuns() {
    settings.start(Map.of("host", "h"));
    List<Map<String, String>> configs = settings.taskConfigs(0);
    assertEquals(List.of(Map.of("host", "h")), configs);
    configs.get(0).put("host", "changed");
    assertEquals("h", settings.taskConfigs(1).get(0).get("host"));
  }

  @Test
  void perTaskSettingsSeeTheirIndexAndTheCount() {
    settings.start(Map.of("host", "h"));
    List<Map<String, String>> configs =
        settings.taskConfigs(3, (props, index, count) -> props.put("task", index + "/" + count));
    assertEquals(List.of("0/3", "1/3", "2/3"), configs.stream().map(c -> c.get("task")).collect(Collectors.toList()));
  }

  @Test
  void aCrossKeyErrorIsShownUnderTheKeyItNames() {
    Map<String, List<String>> errors = errors(Map.of("host", "h", "low", "5", "high", "1"));
    assertEquals(List.of("high"), List.copyOf(errors.keySet()));
  }

  @Test
  void aCrossKeyErrorNamingNoKeyIsShownUnderTheFallbackKey() {
    Map<String, List<String>> errors = errors(Map.of("host", "h", "low", "3", "high", "3"));
    assertEquals(Map.of("host", List.of("An empty range reads nothing.")), errors);
  }

  @Test
  void crossKeyRulesWaitUntilEveryKeyIsValidOnItsOwn() {
    Map<String, List<String>> errors = errors(Map.of("low", "5", "high", "1"));
    assertEquals(List.of("host"), List.copyOf(errors.keySet()));
    assertEquals(1, errors.get("host").size());
  }
}
