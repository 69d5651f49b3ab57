package io.bankpipe.connect.sftp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The transactions topic from the pipeline's layout file (contracts/pipeline-layout.json, a test resource). */
final class PipelineLayout {
  static final String TOPIC = read().path("transactionsTopic").asText();

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
}
