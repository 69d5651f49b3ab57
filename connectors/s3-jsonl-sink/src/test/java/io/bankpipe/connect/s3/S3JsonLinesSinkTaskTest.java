package io.bankpipe.connect.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bankpipe.connect.common.PipelineLayout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Buffering, naming, offsets and failure handling, with an in-memory object store. */
class S3JsonLinesSinkTaskTest {
  static final String TOPIC = PipelineLayout.TOPIC;
  static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
  // 2024-05-01T10:15:00Z and an hour later.
  static final long T_10H = Instant.parse("2024-05-01T10:15:00Z").toEpochMilli();
  static final long T_11H = Instant.parse("2024-05-01T11:00:01Z").toEpochMilli();

  private final FakeTime time = new FakeTime();
  private final MemoryStore store = new MemoryStore();
  private S3JsonLinesSinkTask task;

  @BeforeEach
  void setUp() {
    task = new S3JsonLinesSinkTask(time, config -> store);
  }

  static Map<String, String> config() {
    Map<String, String> props = new HashMap<>();
    props.put("aws.s3.bucket.name", "raw-zone");
    props.put("aws.s3.region", "eu-central-1");
    props.put("file.max.records", "3");
    props.put("file.rotate.interval.ms", "60000");
    // The layout settings the connector config renderer adds (connectors/connector-config.ts).
    props.put(S3SinkConfig.PREFIX, PipelineLayout.RAW_PREFIX);
    props.put(S3SinkConfig.HOUR_FOLDER_PATTERN, PipelineLayout.HOUR_FOLDER_PATTERN);
    props.put(S3SinkConfig.WATERMARK_FOLDER, PipelineLayout.WATERMARK_FOLDER);
    return props;
  }

  static SinkRecord record(long offset, long timestamp, Object value) {
    return new SinkRecord(TOPIC, 0, null, null, Schema.OPTIONAL_STRING_SCHEMA, value, offset, timestamp,
        TimestampType.CREATE_TIME);
  }

  private static String line(int n) {
    return "{\"transaction_id\":\"t" + n + "\",\"amount\":\"12.50\",\"note\":\"a \\\"quoted\\\" word\"}";
  }

  private static Map<TopicPartition, OffsetAndMetadata> consumerPosition(long offset) {
    return Map.of(P0, new OffsetAndMetadata(offset));
  }

  @Test
  void writesTheOriginalLinesUnchangedIntoHourFoldersNamedByStartOffset() {
    task.start(config());
    task.put(List.of(record(0, T_10H, line(0)), record(1, T_10H, line(1)), record(2, T_10H, line(2))));

    String key = PipelineLayout.RAW_PREFIX + PipelineLayout.hourFolder(2024, 5, 1, 10) + TOPIC + "-0-00000000000000000000.jsonl";
    assertEquals(List.of(key), new ArrayList<>(store.objects.keySet()));
    assertEquals(line(0) + "\n" + line(1) + "\n" + line(2) + "\n", store.text(key));
    assertEquals("application/x-ndjson", store.contentTypes.get(key));
  }

  @Test
  void commitsOnlyWhatIsInS3() {
    task.start(config());
    task.put(List.of(record(0, T_10H, line(0)), record(1, T_10H, line(1)), record(2, T_10H, line(2)),
        record(3, T_11H, line(3))));

    assertEquals(Map.of(P0, new OffsetAndMetadata(3)), task.preCommit(consumerPosition(4)),
        "offset 3 is only in memory, so the commit stops before it");

    time.advance(60_000);
    assertEquals(Map.of(P0, new OffsetAndMetadata(4)), task.preCommit(consumerPosition(4)),
        "after the rotate interval the open object is written and everything is committed");
    assertEquals(line(3) + "\n",
        store.text(PipelineLayout.RAW_PREFIX + PipelineLayout.hourFolder(2024, 5, 1, 11) + TOPIC
            + "-0-00000000000000000003.jsonl"));
  }

  @Test
  void olderHourStillOpenHoldsBackTheCommitOfNewerWrittenHours() {
    task.start(config());
    task.put(List.of(record(10, T_10H, line(10)), record(11, T_11H, line(11)), record(12, T_11H, line(12)),
        record(13, T_11H, line(13))));

    assertEquals(1, store.objects.size(), "hour 11 reached 3 records and was written");
    assertEquals(Map.of(P0, new OffsetAndMetadata(10)), task.preCommit(consumerPosition(14)));
  }

  @Test
  void redeliveryAfterAFailedWriteNeitherLosesNorDuplicatesLines() {
    task.start(config());
    store.failNext = true;
    List<SinkRecord> batch = List.of(record(0, T_10H, line(0)), record(1, T_10H, line(1)),
        record(2, T_10H, line(2)), record(3, T_10H, line(3)));

    assertThrows(RetriableException.class, () -> task.put(batch));
    assertTrue(store.objects.isEmpty());
    task.put(batch); // Connect re-delivers the same batch

    assertEquals(line(0) + "\n" + line(1) + "\n" + line(2) + "\n",
        store.text(PipelineLayout.RAW_PREFIX + PipelineLayout.hourFolder(2024, 5, 1, 10) + TOPIC + "-0-00000000000000000000.jsonl"));
    assertEquals(1, task.bufferedRecords(), "offset 3 waits for the next object");
  }

  @Test
  void gzipObjectsGetAGzExtensionAndDecompressToTheSameLines() throws IOException {
    Map<String, String> props = config();
    props.put("file.compression.type", "gzip");
    props.put("aws.s3.prefix", "raw/landing/");
    task.start(props);
    task.put(List.of(record(5, T_10H, line(5)), record(6, T_10H, line(6)), record(7, T_10H, line(7))));

    String key = "raw/landing/" + PipelineLayout.hourFolder(2024, 5, 1, 10) + TOPIC + "-0-00000000000000000005.jsonl.gz";
    byte[] body = store.objects.get(key);
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      assertEquals(line(5) + "\n" + line(6) + "\n" + line(7) + "\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void bytesValuesAreWrittenVerbatimAndEmbeddedLineBreaksBecomeSpaces() {
    task.start(config());
    byte[] invalidUtf8 = {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    task.put(List.of(record(0, T_10H, invalidUtf8), record(1, T_10H, "{\"a\":1,\r\n\"b\":2}"),
        record(2, T_10H, null), record(3, T_10H, "{\"c\":3}")));

    byte[] body = store.objects.values().iterator().next();
    byte[] expected = (new String(invalidUtf8, StandardCharsets.ISO_8859_1) + "\n{\"a\":1,  \"b\":2}\n{\"c\":3}\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    assertArrayEquals(expected, body, "null values are skipped, bytes pass through untouched");
  }

  @Test
  void structValuesAreRejectedWithTheConverterToUse() {
    task.start(config());
    Schema schema = SchemaBuilder.struct().field("a", Schema.STRING_SCHEMA).build();
    SinkRecord structRecord = new SinkRecord(TOPIC, 0, null, null, schema, new Struct(schema).put("a", "x"), 0);

    ConnectException e = assertThrows(ConnectException.class, () -> task.put(List.of(structRecord)));

    assertTrue(e.getMessage().contains("StringConverter"), e.getMessage());
  }

  @Test
  void recordsWithoutTimestampOrWithWallclockSourceUseProcessingTime() {
    Map<String, String> props = config();
    props.put("timestamp.source", "wallclock");
    props.put("file.max.records", "1");
    time.set(T_11H);
    task.start(props);
    task.put(List.of(record(0, T_10H, line(0))));

    assertTrue(store.objects.keySet().iterator().next().contains("/hour=11/"), store.objects.keySet().toString());
  }

  @Test
  void revokedPartitionsForgetTheirUnwrittenLines() {
    task.start(config());
    task.put(List.of(record(0, T_10H, line(0))));
    task.close(List.of(P0));

    assertEquals(0, task.bufferedRecords());
    assertEquals(Map.of(), task.preCommit(consumerPosition(1)), "nothing to commit for a partition we no longer own");
  }

  static final class MemoryStore implements ObjectStore {
    final Map<String, byte[]> objects = new TreeMap<>();
    final Map<String, String> contentTypes = new HashMap<>();
    boolean failNext;

    @Override
    public void put(String key, byte[] body, String contentType) throws IOException {
      if (failNext) {
        failNext = false;
        throw new IOException("simulated S3 outage");
      }
      objects.put(key, body);
      contentTypes.put(key, contentType);
    }

    String text(String key) {
      byte[] body = objects.get(key);
      return body == null ? null : new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {}
  }

  static final class FakeTime implements Time {
    private long now = Instant.parse("2024-06-01T00:00:00Z").toEpochMilli();

    void advance(long ms) {
      now += ms;
    }

    void set(long ms) {
      now = ms;
    }

    @Override
    public long milliseconds() {
      return now;
    }

    @Override
    public long nanoseconds() {
      return now * 1_000_000;
    }

    @Override
    public void sleep(long ms) {
      now += ms;
    }

    @Override
    public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs) {
      throw new UnsupportedOperationException();
    }
  }
}
