package io.bankpipe.connect.s3;

import static io.bankpipe.connect.s3.S3JsonLinesSinkTaskTest.P0;
import static io.bankpipe.connect.s3.S3JsonLinesSinkTaskTest.T_10H;
import static io.bankpipe.connect.s3.S3JsonLinesSinkTaskTest.T_11H;
import static io.bankpipe.connect.s3.S3JsonLinesSinkTaskTest.config;
import static io.bankpipe.connect.s3.S3JsonLinesSinkTaskTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bankpipe.connect.common.PipelineLayout;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-partition watermark object written after each commit, and the rule that sets flushedThrough. */
class SinkWatermarkTest {
  static final String WATERMARKS = PipelineLayout.RAW_PREFIX + PipelineLayout.WATERMARK_FOLDER;
  static final String KEY = WATERMARKS + PipelineLayout.TOPIC + "-0.json";

  private final S3JsonLinesSinkTaskTest.FakeTime time = new S3JsonLinesSinkTaskTest.FakeTime();
  private final S3JsonLinesSinkTaskTest.MemoryStore store = new S3JsonLinesSinkTaskTest.MemoryStore();
  private S3JsonLinesSinkTask task;

  @BeforeEach
  void setUp() {
    task = new S3JsonLinesSinkTask(time, config -> store);
    task.start(config());
    task.open(List.of(P0));
  }

  private static Map<TopicPartition, OffsetAndMetadata> position(long offset) {
    return Map.of(P0, new OffsetAndMetadata(offset));
  }

  private String field(String name) {
    String body = store.text(KEY);
    Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}]+)").matcher(body);
    assertTrue(m.find(), name + " in " + body);
    return m.group(1).replace("\"", "");
  }

  private static String iso(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }

  @Test
  void afterAFlushWithNothingPendingEveryRecordUpToTheNewestEventTimeIsCovered() {
    long last = T_10H + 1_234;
    task.put(List.of(record(0, T_10H, "a"), record(1, T_10H + 1, "b"), record(2, last, "c")));

    task.preCommit(position(3));

    assertEquals(PipelineLayout.TOPIC, field("topic"));
    assertEquals("0", field("partition"));
    assertEquals("3", field("committedOffset"));
    assertEquals("0", field("pendingRecords"));
    assertEquals(iso(last), field("maxEventTime"));
    assertEquals(iso(last + 1), field("flushedThrough"), "exclusive: records before it are in S3");
    assertEquals(iso(time.milliseconds()), field("writtenAt"));
    assertEquals("application/json", store.contentTypes.get(KEY));
  }

  @Test
  void aRecordStillInMemoryHoldsTheWatermarkAtItsEventTime() {
    // Three records of hour 11 fill an object; the hour-10 record stays in memory.
    task.put(List.of(record(0, T_10H, "old"), record(1, T_11H, "a"), record(2, T_11H, "b"),
        record(3, T_11H, "c")));

    task.preCommit(position(4));

    assertEquals("1", field("pendingRecords"));
    assertEquals("0", field("committedOffset"));
    assertEquals(iso(T_11H), field("maxEventTime"));
    assertEquals(iso(T_10H), field("flushedThrough"), "hour 10 is not flushed while its record waits");

    time.advance(60_000); // rotate interval: the open object is written by the next commit
    task.preCommit(position(4));
    assertEquals(iso(T_11H + 1), field("flushedThrough"));
  }

  @Test
  void anIdlePartitionMovesForwardWithEachEmptyDelivery() {
    task.put(List.of(record(0, T_10H, "a"), record(1, T_10H, "b"), record(2, T_10H, "c")));
    long quiet = T_10H + 3 * 3_600_000L; // hours later, the consumer finds nothing new
    time.set(quiet);
    task.put(List.of());

    task.preCommit(position(3));

    assertEquals(iso(quiet), field("caughtUpAt"));
    assertEquals(iso(quiet), field("flushedThrough"), "an idle partition must not block later hours");
  }

  @Test
  void aPartitionThatNeverHadARecordIsCoveredOnceTheConsumerFoundItEmpty() {
    task.preCommit(position(0));
    assertFalse(store.objects.containsKey(KEY), "nothing known yet: no watermark that claims too much");

    task.put(List.of());
    task.preCommit(position(0));

    assertEquals(iso(time.milliseconds()), field("flushedThrough"));
    assertEquals("null", field("maxEventTime"));
  }

  @Test
  void anEmptyDeliveryBeforeThePartitionWasAssignedSaysNothingAboutIt() {
    TopicPartition p1 = new TopicPartition(P0.topic(), 1);
    task.put(List.of());
    task.open(List.of(p1));

    task.preCommit(Map.of(p1, new OffsetAndMetadata(0)));

    assertNull(store.text(WATERMARKS + PipelineLayout.TOPIC + "-1.json"),
        "the consumer had not read the new partition's backlog yet");
  }

  @Test
  void aFailedWatermarkWriteLeavesTheCommitAlone() {
    task.put(List.of(record(0, T_10H, "a"), record(1, T_10H, "b"), record(2, T_10H, "c")));
    store.failNext = true;

    assertEquals(position(3), task.preCommit(position(3)));
    assertNull(store.text(KEY));

    task.preCommit(position(3));
    assertEquals(iso(T_10H + 1), field("flushedThrough"), "written again at the next commit");
  }

  @Test
  void watermarksFollowTheConfiguredPrefix() {
    task = new S3JsonLinesSinkTask(time, config -> store);
    Map<String, String> props = new java.util.HashMap<>(config());
    props.put("aws.s3.prefix", "landing/raw/");
    task.start(props);
    task.open(List.of(P0));
    task.put(List.of());

    task.preCommit(position(0));

    assertTrue(store.objects.containsKey("landing/raw/" + PipelineLayout.WATERMARK_FOLDER + PipelineLayout.TOPIC
        + "-0.json"),
        store.objects.keySet().toString());
  }
}
