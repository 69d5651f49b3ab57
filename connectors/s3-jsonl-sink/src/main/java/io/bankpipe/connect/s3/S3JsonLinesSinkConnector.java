package io.bankpipe.connect.s3;

import io.bankpipe.connect.common.ConnectorSettings;
import io.bankpipe.connect.common.PluginVersion;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * Kafka Connect sink that writes record values unchanged, one per line, into hour-partitioned S3
 * objects (the raw zone). Written for this project because no open-source S3 sink that writes raw
 * lines is available from the package registry here.
 */
public final class S3JsonLinesSinkConnector extends SinkConnector {
  /** The plugin version, shared with the task. */
  static final String VERSION =
      PluginVersion.read(S3JsonLinesSinkConnector.class, "/s3-jsonl-sink-version.properties");

  private final ConnectorSettings settings = new ConnectorSettings(S3SinkConfig::new, S3SinkConfig.BUCKET);

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    settings.start(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return S3JsonLinesSinkTask.class;
  }

  /** Every task takes the same settings; Connect spreads the partitions over them. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return settings.taskConfigs(maxTasks);
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return S3SinkConfig.CONFIG_DEF;
  }

  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    return settings.validate(super.validate(connectorConfigs), connectorConfigs);
  }
}
