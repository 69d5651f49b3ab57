package io.bankpipe.connect.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The pipeline's layout file (contracts/pipeline-layout.json, a test resource of every connector
 * module): the transactions topic and the raw zone's prefix, hour folder pattern and watermark
 * folder, as the rendered connector configs set them. Shared by the plugins' tests via the test-jar.
 */
public final class PipelineLayout {
  public static final JsonNode LAYOUT = read();
  public static final String TOPIC = LAYOUT.path("transactionsTopic").asText();
  public static final String RAW_PREFIX = raw("transactionsPrefix");
  public static final String HOUR_FOLDER_PATTERN = raw("hourPartition");
  public static final String WATERMARK_FOLDER = raw("sinkWatermarkFolder");

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

  /** The hour folder of the layout, filled by plain substitution (independent of the sink's HourFolderPattern). */
  public static String hourFolder(int year, int month, int day, int hour) {
    return HOUR_FOLDER_PATTERN.replace("{year:4}", String.format("%04d", year))
        .replace("{month:2}", String.format("%02d", month))
        .replace("{day:2}", String.format("%02d", day))
        .replace("{hour:2}", String.format("%02d", hour));
  }
}
