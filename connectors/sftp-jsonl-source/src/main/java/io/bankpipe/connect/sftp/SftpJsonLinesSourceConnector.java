package io.bankpipe.connect.sftp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;

/**
 * Kafka Connect source connector for JSON-lines files on an SFTP server: one record per non-blank
 * line, value = the line as a string (use StringConverter), headers source.file and source.line.
 * With tasks.max > 1 the files are split between tasks by a hash of their name.
 */
public final class SftpJsonLinesSourceConnector extends SourceConnector {
  private Map<String, String> props;

  @Override
  public String version() {
    return Version.get();
  }

  @Override
  public void start(Map<String, String> props) {
    // Fail at creation, with the validation message, rather than in every task.
    new SftpSourceConfig(props);
    this.props = new HashMap<>(props);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return SftpJsonLinesSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    int count = Math.max(1, maxTasks);
    List<Map<String, String>> configs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Map<String, String> taskProps = new HashMap<>(props);
      taskProps.put(SftpSourceConfig.TASK_INDEX, Integer.toString(i));
      taskProps.put(SftpSourceConfig.TASK_COUNT, Integer.toString(count));
      configs.add(taskProps);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return SftpSourceConfig.CONFIG_DEF;
  }

  /** Adds the rules that span several keys to the per-key validation Connect does by itself. */
  @Override
  public Config validate(Map<String, String> connectorConfigs) {
    Config result = super.validate(connectorConfigs);
    boolean perKeyErrors = result.configValues().stream().anyMatch(v -> !v.errorMessages().isEmpty());
    if (!perKeyErrors) {
      try {
        new SftpSourceConfig(connectorConfigs);
      } catch (ConfigException e) {
        String key = e.getMessage() != null && e.getMessage().contains(" for configuration ")
            ? e.getMessage().replaceAll(".* for configuration ([^:]+):.*", "$1")
            : SftpSourceConfig.SFTP_HOST;
        ConfigValue target = null;
        for (ConfigValue value : result.configValues()) {
          if (value.name().equals(key) || (target == null && value.name().equals(SftpSourceConfig.SFTP_HOST))) {
            target = value;
          }
        }
        if (target != null) {
          target.addErrorMessage(e.getMessage());
        }
      }
    }
    return result;
  }

  /** Offsets are committed after delivery (at-least-once); no transactional exactly-once. */
  @Override
  public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
    return ExactlyOnceSupport.UNSUPPORTED;
  }
}
