package io.bankpipe.connect.s3;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Kafka Connect sink that writes record values unchanged, one per line, into hour-partitioned S3
 * objects (the raw zone). Written for this project because no open-source S3 sink that writes raw
 * lines is available from the package registry here.
 */
public final class S3JsonLinesSinkConnector extends SinkConnector {
  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    new S3SinkConfig(props);
    this.props = new HashMap<>(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return S3JsonLinesSinkTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < Math.max(1, maxTasks); i++) {
      configs.add(new HashMap<>(props));
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return S3SinkConfig.CONFIG_DEF;
  }

  /** Adds the rules spanning several keys to Connect's per-key validation. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    if (result.configValues().stream().allMatch(v -> v.errorMessages().isEmpty())) {
      try {
        new S3SinkConfig(connectorConfigs);
      } catch (ConfigException e) {
        for (ConfigValue value : result.configValues()) {
          if (value.name().equals(S3SinkConfig.BUCKET)) {
            value.addErrorMessage(e.getMessage());
          }
        }
      }
    }
    return result;
  }
}
