package io.bankpipe.connect.s3;

import java.io.IOException;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** ObjectStore on S3 (or an S3-compatible server) through the AWS SDK v2 with its built-in retries. */
final class S3ObjectStore implements ObjectStore {
  private final S3Client client;
  private final S3SinkConfig config;

  S3ObjectStore(S3SinkConfig config) {
    this.config = config;
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .region(Region.of(config.region()))
        .credentialsProvider(credentials(config))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build());
    if (!config.endpoint().isEmpty()) {
      builder.endpointOverride(URI.create(config.endpoint()));
    }
    this.client = builder.build();
  }

  /** Static keys only when configured (local S3); otherwise the role MSK Connect gives the connector. */
  private static AwsCredentialsProvider credentials(S3SinkConfig config) {
    if (config.accessKeyId() != null) {
      return StaticCredentialsProvider.create(
          AwsBasicCredentials.create(config.accessKeyId().value(), config.secretAccessKey().value()));
    }
    return DefaultCredentialsProvider.create();
  }

  @Override
  public void put(String key, byte[] body, String contentType) throws IOException {
    PutObjectRequest.Builder request =
        PutObjectRequest.builder().bucket(config.bucket()).key(key).contentType(contentType);
    if (!"none".equals(config.sseAlgorithm())) {
      request.serverSideEncryption(ServerSideEncryption.fromValue(config.sseAlgorithm()));
      if (!config.sseKmsKeyId().isEmpty()) {
        request.ssekmsKeyId(config.sseKmsKeyId());
      }
    }
    try {
      client.putObject(request.build(), RequestBody.fromBytes(body));
    } catch (SdkException e) {
      throw new IOException("Writing s3://" + config.bucket() + "/" + key + " failed: " + e.getMessage()
          + ". Check that the bucket exists in " + config.region() + " and that the connector's role (or "
          + "keys) may s3:PutObject there" + ("aws:kms".equals(config.sseAlgorithm())
          ? " and use the KMS key (kms:GenerateDataKey)" : "") + ".", e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
