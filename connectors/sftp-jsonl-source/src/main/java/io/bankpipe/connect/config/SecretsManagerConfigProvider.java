package io.bankpipe.connect.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.ConfigProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Kafka config provider that resolves {@code ${secretsmanager:<secret-id>:<json-key>}} from AWS
 * Secrets Manager, so connector configurations hold references, never secret values. The secret
 * must be a JSON object; the secret id is a name or an ARN, URL-encoded because Kafka splits the
 * reference on ':' (an ARN's ':' become %3A).
 *
 * <p>Worker configuration (MSK Connect worker configuration or connect-*.properties):
 *
 * <pre>
 * config.providers=secretsmanager
 * config.providers.secretsmanager.class=io.bankpipe.connect.config.SecretsManagerConfigProvider
 * config.providers.secretsmanager.param.region=eu-central-1
 * </pre>
 *
 * Credentials come from the default AWS chain (on MSK Connect: the service execution role, which
 * needs secretsmanager:GetSecretValue on the secret and kms:Decrypt on its key). The AWS sample
 * provider (msk-config-providers) is not on Maven Central, hence this small one of our own.
 */
public final class SecretsManagerConfigProvider implements ConfigProvider {
  private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerConfigProvider.class);

  public static final String PARAM_REGION = "region";
  public static final String PARAM_ENDPOINT = "endpoint";

  private SecretsManagerClient client;

  public SecretsManagerConfigProvider() {}

  /** For tests: use the given client instead of building one in configure(). */
  SecretsManagerConfigProvider(SecretsManagerClient client) {
    this.client = client;
  }

  @Override
  public void configure(Map<String, ?> configs) {
    if (client != null) {
      return;
    }
    SecretsManagerClientBuilder builder =
        SecretsManagerClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder());
    Object region = configs.get(PARAM_REGION);
    if (region != null && !region.toString().trim().isEmpty()) {
      builder.region(Region.of(region.toString().trim()));
    }
    Object endpoint = configs.get(PARAM_ENDPOINT);
    if (endpoint != null && !endpoint.toString().trim().isEmpty()) {
      builder.endpointOverride(URI.create(endpoint.toString().trim()));
    }
    client = builder.build();
  }

  @Override
  public ConfigData get(String path) {
    return get(path, Set.of());
  }

  /** Returns the requested keys of the secret's JSON object; all of them if none are named. */
  @Override
  public ConfigData get(String path, Set<String> keys) {
    if (path == null || path.trim().isEmpty()) {
      throw new ConfigException("A ${secretsmanager:...} reference has no secret id: write "
          + "${secretsmanager:<url-encoded secret ARN or name>:<json key>}.");
    }
    String secretId = URLDecoder.decode(path.trim(), StandardCharsets.UTF_8);
    String secretString;
    try {
      GetSecretValueResponse response =
          client.getSecretValue(GetSecretValueRequest.builder().secretId(secretId).build());
      secretString = response.secretString();
    } catch (SdkException e) {
      throw new ConfigException("Cannot read secret '" + secretId + "' from AWS Secrets Manager: "
          + e.getMessage() + ". Check the secret exists in this region and that the connector's role may "
          + "call secretsmanager:GetSecretValue on it (and kms:Decrypt on its key).");
    }
    if (secretString == null) {
      throw new ConfigException("Secret '" + secretId + "' has no string value (binary secrets are not "
          + "supported): store a JSON object such as {\"password\":\"...\"}.");
    }
    Map<String, JsonNode> fields;
    try {
      JsonNode node = JsonNode.parser().parse(secretString);
      if (!node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      fields = node.asObject();
    } catch (RuntimeException e) {
      // Never echo the secret text itself.
      throw new ConfigException("Secret '" + secretId + "' is not a JSON object; store key/value pairs "
          + "such as {\"username\":\"...\",\"password\":\"...\"}.");
    }
    Map<String, String> data = new HashMap<>();
    for (Map.Entry<String, JsonNode> field : fields.entrySet()) {
      if (keys.isEmpty() || keys.contains(field.getKey())) {
        JsonNode value = field.getValue();
        data.put(field.getKey(), value.isString() ? value.asString() : value.toString());
      }
    }
    for (String key : keys) {
      if (!data.containsKey(key)) {
        throw new ConfigException("Secret '" + secretId + "' has no key '" + key + "'; its keys are "
            + fields.keySet() + ".");
      }
    }
    LOG.debug("Resolved {} key(s) of secret {}", data.size(), secretId);
    return new ConfigData(data);
  }

  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
