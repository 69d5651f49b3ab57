package io.bankpipe.connect.s3;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.TopicPartition;

/**
 * How far one topic partition has reached S3, written after each offset commit as
 * {@code <aws.s3.prefix><aws.s3.watermark.folder><topic>-<partition>.json} so the orchestration can run an hour
 * only once the sink has flushed it.
 *
 * <p>The field that decides is {@code flushedThrough}: every record of the partition whose event time
 * (the instant that picked its hour folder) is before it has been written. The sink knows that as follows:
 *
 * <ul>
 *   <li>records waiting in memory: the earliest event time among them (everything before it is in S3);
 *   <li>nothing waiting: the later of the newest event time written plus 1 ms and {@code caughtUpAt}, the
 *       time of the task's latest empty delivery (Connect calls {@code put} after every poll, so an empty
 *       one means the consumer found nothing new on any of its partitions: everything produced before
 *       it has been received, and, nothing waiting, written). An idle partition therefore keeps moving
 *       forward and never blocks an hour.
 * </ul>
 *
 * <p>Within a partition, event times follow the offsets (records are timestamped by the producer when
 * they are ingested). A straggler whose timestamp is earlier than records already written can still
 * land in an hour that was declared flushed; the orchestration's late-data re-run covers it.
 */
final class SinkWatermark {
  final TopicPartition partition;
  /** Offset committed with this watermark (the first record not yet in S3); null when unknown. */
  final Long committedOffset;
  final int pendingRecords;
  /** Newest event time written to S3 for the partition since the task took it; null before the first write. */
  final Long maxEventTimeMs;
  final Long caughtUpAtMs;
  final long flushedThroughMs;
  final long writtenAtMs;

  private SinkWatermark(TopicPartition partition, Long committedOffset, int pendingRecords, Long maxEventTimeMs,
      Long caughtUpAtMs, long flushedThroughMs, long writtenAtMs) {
    this.partition = partition;
    this.committedOffset = committedOffset;
    this.pendingRecords = pendingRecords;
    this.maxEventTimeMs = maxEventTimeMs;
    this.caughtUpAtMs = caughtUpAtMs;
    this.flushedThroughMs = flushedThroughMs;
    this.writtenAtMs = writtenAtMs;
  }

  /**
   * The watermark from what the task knows, or null when it knows nothing yet (no record seen and no
   * empty delivery): then no object is written, rather than a watermark that claims too much.
   *
   * @param minPendingEventTimeMs earliest event time among the records in memory; null when none are
   */
  static SinkWatermark of(TopicPartition partition, Long committedOffset, int pendingRecords,
      Long minPendingEventTimeMs, Long maxEventTimeMs, Long caughtUpAtMs, long nowMs) {
    Long flushedThrough;
    if (minPendingEventTimeMs != null) {
      flushedThrough = minPendingEventTimeMs;
    } else if (maxEventTimeMs == null) {
      flushedThrough = caughtUpAtMs;
    } else {
      flushedThrough = caughtUpAtMs == null ? maxEventTimeMs + 1 : Math.max(maxEventTimeMs + 1, caughtUpAtMs);
    }
    if (flushedThrough == null) {
      return null;
    }
    return new SinkWatermark(partition, committedOffset, pendingRecords, maxEventTimeMs, caughtUpAtMs,
        flushedThrough, nowMs);
  }

  /** @param folder the watermark folder's key prefix: the raw prefix plus the watermark folder */
  static String key(String folder, TopicPartition partition) {
    return folder + partition.topic() + "-" + partition.partition() + ".json";
  }

  byte[] json() {
    String body = "{\"topic\":" + quote(partition.topic())
        + ",\"partition\":" + partition.partition()
        + ",\"committedOffset\":" + (committedOffset == null ? "null" : committedOffset.toString())
        + ",\"pendingRecords\":" + pendingRecords
        + ",\"maxEventTime\":" + instant(maxEventTimeMs)
        + ",\"caughtUpAt\":" + instant(caughtUpAtMs)
        + ",\"flushedThrough\":" + instant(flushedThroughMs)
        + ",\"writtenAt\":" + instant(writtenAtMs)
        + "}\n";
    return body.getBytes(StandardCharsets.UTF_8);
  }

  private static String instant(Long epochMs) {
    return epochMs == null ? "null" : quote(Instant.ofEpochMilli(epochMs).toString());
  }

  /** Topic names are [a-zA-Z0-9._-]; escaping the two JSON specials keeps any other name valid too. */
  private static String quote(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
