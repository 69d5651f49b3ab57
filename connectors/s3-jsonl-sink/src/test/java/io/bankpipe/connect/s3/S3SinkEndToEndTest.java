package io.bankpipe.connect.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bankpipe.connect.common.PipelineLayout;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.RetriableException;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real task and AWS SDK client against an S3-compatible server (S3Proxy) on 127.0.0.1. */
class S3SinkEndToEndTest {
  private static final String ACCESS_KEY = "local-test-access-key";
  private static final String SECRET_KEY = "local-test-secret-key";
  private static BlobStoreContext context;
  private static BlobStore blobStore;
  private static S3Proxy s3;

  @BeforeAll
  static void startS3() throws Exception {
    context = ContextBuilder.newBuilder("transient").credentials("unused", "unused").build(BlobStoreContext.class);
    blobStore = context.getBlobStore();
    blobStore.createContainerInLocation(null, "raw-zone");
    s3 = S3Proxy.builder().blobStore(blobStore).endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
    s3.start();
    for (int i = 0; i < 100 && !"STARTED".equals(s3.getState()); i++) {
      Thread.sleep(50);
    }
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.stop();
    context.close();
  }

  private static Map<String, String> config(String bucket, String secret) {
    Map<String, String> props = S3JsonLinesSinkTaskTest.config();
    props.put("aws.s3.bucket.name", bucket);
    props.put("aws.s3.endpoint", "http://127.0.0.1:" + s3.getPort());
    props.put("aws.s3.path.style.access.enabled", "true");
    props.put("aws.access.key.id", ACCESS_KEY);
    props.put("aws.secret.access.key", secret);
    props.put("file.max.records", "2");
    return props;
  }

  private static List<String> keys() {
    List<String> keys = new ArrayList<>();
    for (StorageMetadata m : blobStore.list("raw-zone", ListContainerOptions.Builder.recursive())) {
      keys.add(m.getName());
    }
    return keys;
  }

  @Test
  void objectsInS3HoldTheOriginalLines() throws IOException {
    S3JsonLinesSinkTask task = new S3JsonLinesSinkTask();
    task.start(config("raw-zone", SECRET_KEY));
    String a = "{\"transaction_id\":\"a\",\"city\":\"Zürich\",\"amount\":12.5}";
    String b = "{\"transaction_id\":\"b\",\"amount\":\"7.00\"}";
    task.put(List.of(S3JsonLinesSinkTaskTest.record(40, S3JsonLinesSinkTaskTest.T_10H, a),
        S3JsonLinesSinkTaskTest.record(41, S3JsonLinesSinkTaskTest.T_10H, b)));
    task.stop();

    String key = PipelineLayout.RAW_PREFIX + PipelineLayout.hourFolder(2024, 5, 1, 10) + PipelineLayout.TOPIC
        + "-0-00000000000000000040.jsonl";
    assertEquals(List.of(key), keys());
    try (InputStream in = blobStore.getBlob("raw-zone", key).getPayload().openStream()) {
      assertEquals(a + "\n" + b + "\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void wrongCredentialsAreRetriableAndSayWhatToCheck() {
    S3JsonLinesSinkTask task = new S3JsonLinesSinkTask();
    task.start(config("raw-zone", "wrong-secret"));

    RetriableException e = assertThrows(RetriableException.class, () -> task.put(List.of(
        S3JsonLinesSinkTaskTest.record(0, S3JsonLinesSinkTaskTest.T_10H, "{}"),
        S3JsonLinesSinkTaskTest.record(1, S3JsonLinesSinkTaskTest.T_10H, "{}"))));
    task.stop();

    assertTrue(e.getMessage().contains("s3://raw-zone/transactions/"), e.getMessage());
    assertTrue(e.getMessage().contains("s3:PutObject"), e.getMessage());
  }
}
