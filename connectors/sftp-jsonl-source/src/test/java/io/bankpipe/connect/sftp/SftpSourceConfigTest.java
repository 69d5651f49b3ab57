package io.bankpipe.connect.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bankpipe.connect.common.PipelineLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

class SftpSourceConfigTest {

  private static Map<String, String> valid() {
    Map<String, String> props = new HashMap<>();
    props.put("sftp.host", "sftp.example.internal");
    props.put("sftp.username", "loader");
    props.put("sftp.password", "${secretsmanager:arn%3Aaws%3Asecretsmanager%3Aeu-central-1%3A1%3Asecret%3Ax:password}");
    props.put("sftp.host.key.fingerprint", "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8");
    props.put("input.dir", "/upload/transactions/");
    props.put("processed.dir", "/upload/processed");
    props.put("topic", PipelineLayout.TOPIC);
    return props;
  }

  private static Map<String, String> validWithout(String key) {
    Map<String, String> props = valid();
    props.remove(key);
    return props;
  }

  private static Map<String, String> validWith(String key, String value) {
    Map<String, String> props = valid();
    props.put(key, value);
    return props;
  }

  private static String errorFor(Map<String, String> props) {
    return assertThrows(ConfigException.class, () -> new SftpSourceConfig(props)).getMessage();
  }

  @Test
  void appliesDefaultsAndNormalizesDirectories() {
    SftpSourceConfig config = new SftpSourceConfig(valid());

    assertEquals(22, config.port());
    assertEquals("/upload/transactions", config.inputDir());
    assertTrue(config.fileNamePattern().matcher("2024-05-01.jsonl").matches());
    assertTrue(config.fileNamePattern().matcher("2024-05-01.json").matches());
    assertEquals(false, config.fileNamePattern().matcher("2024-05-01.jsonl.tmp").matches());
    assertEquals(SftpSourceConfig.FinishedFileAction.MOVE, config.finishedFileAction());
  }

  @Test
  void requiresAPasswordOrAPrivateKey() {
    String message = errorFor(validWithout("sftp.password"));
    assertTrue(message.contains("sftp.password") && message.contains("sftp.private.key"), message);
  }

  @Test
  void strictHostKeyCheckingNeedsATrustedKey() {
    Map<String, String> props = validWithout("sftp.host.key.fingerprint");
    String message = errorFor(props);
    assertTrue(message.contains("sftp.host.key.fingerprint") && message.contains("ssh-keygen"), message);

    props.put("sftp.strict.host.key.checking", "false");
    new SftpSourceConfig(props); // explicit opt-out is accepted
  }

  @Test
  void rejectsAMalformedFingerprint() {
    assertTrue(errorFor(validWith("sftp.host.key.fingerprint", "ab:cd:ef")).contains("SHA256:"));
  }

  @Test
  void moveNeedsAProcessedDirOutsideTheInputDir() {
    Map<String, String> props = validWithout("processed.dir");
    assertTrue(errorFor(props).contains("processed.dir"));

    props.put("processed.dir", "/upload/transactions");
    assertTrue(errorFor(props).contains("Must differ from input.dir"));

    props.put("finished.file.action", "DELETE");
    new SftpSourceConfig(props);
  }

  @Test
  void rejectsRelativeInputDirAndBadRegex() {
    assertTrue(errorFor(validWith("input.dir", "upload")).contains("absolute"));
    assertTrue(errorFor(validWith("input.file.pattern", "*.jsonl")).contains("regular expression"));
  }

  @Test
  void connectorValidateReportsCrossFieldErrorsOnTheRightKey() {
    Map<String, String> props = valid();
    props.put("connector.class", SftpJsonLinesSourceConnector.class.getName());
    props.remove("processed.dir");

    List<ConfigValue> values = new SftpJsonLinesSourceConnector().validate(props).configValues();
    Map<String, List<String>> errors = values.stream().filter(v -> !v.errorMessages().isEmpty())
        .collect(Collectors.toMap(ConfigValue::name, ConfigValue::errorMessages));

    assertEquals(List.of("processed.dir"), List.copyOf(errors.keySet()));
  }
}
