package io.bankpipe.connect.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

class SecretsManagerConfigProviderTest {
  private static final String ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:bank/sftp-AbCdEf";

  /** Stands in for the AWS API: one secret, and a record of what was asked for. */
  private static final class FakeSecretsManager implements SecretsManagerClient {
    final List<String> requestedIds = new ArrayList<>();
    final String secretString;

    FakeSecretsManager(String secretString) {
      this.secretString = secretString;
    }

    @Override
    public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
      requestedIds.add(request.secretId());
      if (!ARN.equals(request.secretId())) {
        throw ResourceNotFoundException.builder().message("Secrets Manager can't find the specified secret.").build();
      }
      return GetSecretValueResponse.builder().secretString(secretString).build();
    }

    @Override
    public String serviceName() {
      return "secretsmanager";
    }

    @Override
    public void close() {}
  }

  private static String encode(String arn) {
    return arn.replace(":", "%3A").replace("/", "%2F");
  }

  @Test
  void resolvesTheRequestedKeysOfAnUrlEncodedArn() {
    FakeSecretsManager fake = new FakeSecretsManager("{\"username\":\"loader\",\"password\":\"s3cr:et\",\"port\":22}");
    SecretsManagerConfigProvider provider = new SecretsManagerConfigProvider(fake);
    provider.configure(Map.of("region", "eu-central-1"));

    ConfigData data = provider.get(encode(ARN), Set.of("password", "port"));

    assertEquals(Map.of("password", "s3cr:et", "port", "22"), data.data());
    assertEquals(List.of(ARN), fake.requestedIds);
  }

  @Test
  void missingKeyNamesTheKeysThatExistButNotTheValues() {
    SecretsManagerConfigProvider provider =
        new SecretsManagerConfigProvider(new FakeSecretsManager("{\"user\":\"loader\",\"pass\":\"hunter2\"}"));

    ConfigException e = assertThrows(ConfigException.class, () -> provider.get(encode(ARN), Set.of("password")));

    assertTrue(e.getMessage().contains("no key 'password'"), e.getMessage());
    assertTrue(e.getMessage().contains("pass"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), "never leak the secret value");
  }

  @Test
  void nonJsonSecretAndUnknownSecretGiveActionableErrors() {
    SecretsManagerConfigProvider plain = new SecretsManagerConfigProvider(new FakeSecretsManager("hunter2"));
    ConfigException notJson = assertThrows(ConfigException.class, () -> plain.get(encode(ARN), Set.of("password")));
    assertTrue(notJson.getMessage().contains("not a JSON object"));
    assertFalse(notJson.getMessage().contains("hunter2"));

    ConfigException unknown = assertThrows(ConfigException.class, () -> plain.get("no-such-secret", Set.of("x")));
    assertTrue(unknown.getMessage().contains("secretsmanager:GetSecretValue"), unknown.getMessage());
  }
}
