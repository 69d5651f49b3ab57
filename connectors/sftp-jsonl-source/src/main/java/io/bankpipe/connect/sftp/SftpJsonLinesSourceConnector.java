package io.bankpipe.connect.sftp;

import io.bankpipe.connect.common.ConnectorSettings;
import io.bankpipe.connect.common.PluginVersion;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source connector for JSON-lines files on an SFTP server: one record per non-blank
 * line, value = the line as a string (use StringConverter), headers source.file and source.line.
 * With tasks.max > 1 the files are split between tasks by a hash of their name.
 */
public final class SftpJsonLinesSourceConnector extends SourceConnector {
  /** The plugin version, shared with the task. */
  static final String VERSION =
      PluginVersion.read(SftpJsonLinesSourceConnector.class, "/sftp-jsonl-source-version.properties");

  private final ConnectorSettings settings =
      new ConnectorSettings(SftpSourceConfig::new, SftpSourceConfig.SFTP_HOST);

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
    return SftpJsonLinesSourceTask.class;
  }

  /** Each task learns its index and the task count, by which it picks its share of the files. */
  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return settings.taskConfigs(maxTasks, (taskProps, taskIndex, taskCount) -> {
      taskProps.put(SftpSourceConfig.TASK_INDEX, Integer.toString(taskIndex));
      taskProps.put(SftpSourceConfig.TASK_COUNT, Integer.toString(taskCount));
    });
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return SftpSourceConfig.CONFIG_DEF;
  }

  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    return settings.validate(super.validate(connectorConfigs), connectorConfigs);
  }

  /** Offsets are committed after delivery (at-least-once); no transactional exactly-once. */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.UNSUPPORTED;
  }
}
