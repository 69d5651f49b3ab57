package io.bankpipe.connect.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bankpipe.connect.common.PipelineLayout;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class S3SinkConfigTest {

  private static String errorFor(Map<String, String> props) {
    return assertThrows(ConfigException.class, () -> new S3SinkConfig(props)).getMessage();
  }

  @Test
  void defaultsSuitTheRawZone() {
    S3SinkConfig config = new S3SinkConfig(S3JsonLinesSinkTaskTest.config());
    assertEquals(PipelineLayout.RAW_PREFIX, config.prefix());
    assertEquals(PipelineLayout.WATERMARK_FOLDER, config.watermarkFolder());
    assertEquals(S3SinkConfig.Compression.NONE, config.compression());
    assertEquals(S3SinkConfig.TimestampSource.RECORD, config.timestampSource());
    assertEquals("none", config.sseAlgorithm());
  }

  @Test
  void staticKeysComeInPairs() {
    Map<String, String> props = S3JsonLinesSinkTaskTest.config();
    props.put("aws.access.key.id", "AKIDEXAMPLE");
    String message = errorFor(props);
    assertTrue(message.contains("aws.secret.access.key") && message.contains("IAM role"), message);
  }

  @Test
  void connectorValidateReportsCrossFieldErrorsOnTheKeyTheyName() {
    Map<String, String> props = S3JsonLinesSinkTaskTest.config();
    props.put("aws.s3.sse.kms.key.id", "alias/raw");

    List<ConfigValue> values = new S3JsonLinesSinkConnector().validate(props).configValues();
    Map<String, List<String>> errors = values.stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));

    assertEquals(List.of("aws.s3.sse.kms.key.id"), List.copyOf(errors.keySet()));
  }

  @Test
  void rejectsBadPrefixEndpointAndStrayKmsKey() {
    Map<String, String> props = S3JsonLinesSinkTaskTest.config();
    props.put("aws.s3.prefix", "/transactions");
    assertTrue(errorFor(props).contains("aws.s3.prefix"));

    props = S3JsonLinesSinkTaskTest.config();
    props.put("aws.s3.endpoint", "127.0.0.1:9000");
    assertTrue(errorFor(props).contains("http://127.0.0.1:9000"));

    props = S3JsonLinesSinkTaskTest.config();
    props.put("aws.s3.sse.kms.key.id", "alias/raw");
    assertTrue(errorFor(props).contains("aws:kms"));
  }

  @Test
  void theLayoutSettingsAreRequiredAndChecked() {
    for (String key : new String[] {S3SinkConfig.PREFIX, S3SinkConfig.HOUR_FOLDER_PATTERN,
        S3SinkConfig.WATERMARK_FOLDER}) {
      Map<String, String> props = S3JsonLinesSinkTaskTest.config();
      props.remove(key);
      String message = errorFor(props);
      assertTrue(message.contains(key), message);
    }
    Map<String, String> props = S3JsonLinesSinkTaskTest.config();
    props.put(S3SinkConfig.HOUR_FOLDER_PATTERN, "year={year:4}/hour={hour:2}/");
    String message = errorFor(props);
    assertTrue(message.contains(S3SinkConfig.HOUR_FOLDER_PATTERN) && message.contains("{month}"), message);

    props = S3JsonLinesSinkTaskTest.config();
    props.put(S3SinkConfig.WATERMARK_FOLDER, "a/b/");
    assertTrue(errorFor(props).contains(S3SinkConfig.WATERMARK_FOLDER));
  }
}
