package io.bankpipe.connect.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The pipeline's layout file (contracts/pipeline-layout.json, a test resource): the topic and the raw
 * zone's prefix, hour folder pattern and watermark folder, as the rendered connector config sets them.
 */
final class PipelineLayout {
  static final JsonNode LAYOUT = read();
  static final String TOPIC = LAYOUT.path("transactionsTopic").asText();
  static final String RAW_PREFIX = raw("transactionsPrefix");
  static final String HOUR_FOLDER_PATTERN = raw("hourPartition");
  static final String WATERMARK_FOLDER = raw("sinkWatermarkFolder");

  private PipelineLayout() {}

  private static JsonNode read() {
    try (InputStream in = PipelineLayout.class.getResourceAsStream("/pipeline-layout.json")) {
      if (in == null) {
        throw new IllegalStateException("pipeline-layout.json is not on the test classpath (connectors/pom.xml "
            + "testResources points at contracts/)");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String raw(String field) {
    JsonNode value = LAYOUT.path("zones").path("raw").path(field);
    if (!value.isTextual()) {
      throw new IllegalStateException("pipeline-layout.json has no zones.raw." + field);
    }
    return value.asText();
  }

  /** The layout settings the connector config renderer adds (connectors/connector-config.ts). */
  static Map<String, String> putInto(Map<String, String> props) {
    props.put(S3SinkConfig.PREFIX, RAW_PREFIX);
    props.put(S3SinkConfig.HOUR_FOLDER_PATTERN, HOUR_FOLDER_PATTERN);
    props.put(S3SinkConfig.WATERMARK_FOLDER, WATERMARK_FOLDER);
    return props;
  }

  /** The hour folder of the layout, filled by plain substitution (independent of HourFolderPattern). */
  static String hourFolder(int year, int month, int day, int hour) {
    return HOUR_FOLDER_PATTERN.replace("{year:4}", String.format("%04d", year))
        .replace("{month:2}", String.format("%02d", month))
        .replace("{day:2}", String.format("%02d", day))
        .replace("{hour:2}", String.format("%02d", hour));
  }
}
