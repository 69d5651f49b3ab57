package io.bankpipe.connect.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each record value, unchanged, as one line of an S3 object:
 * {@code <prefix><hour folder><topic>-<partition>-<start offset, 20 digits>.jsonl[.gz]}, the hour folder
 * from {@code aws.s3.hour.folder.pattern} (e.g. {@code year=YYYY/month=MM/day=DD/hour=HH/}).
 *
 * <p>Records are buffered per topic partition and hour folder. An object is written when it reaches
 * file.max.records / file.max.bytes, or file.rotate.interval.ms after its first record. Kafka offsets
 * are committed only up to the first record not yet in S3, so a crash re-delivers rather than loses.
 * Object keys depend only on the records (start offset, record timestamp), so a re-delivered batch
 * overwrites the same objects instead of adding copies (at-least-once, duplicates only when a
 * time-based rotation split a replay differently; the downstream job de-duplicates by id).
 *
 * <p>After each commit, one watermark object per partition says how far it has reached S3
 * (SinkWatermark); the orchestration runs an hour once every partition's watermark has passed its end.
 */
public final class S3JsonLinesSinkTask extends SinkTask {
  private static final Logger LOG = LoggerFactory.getLogger(S3JsonLinesSinkTask.class);
  private static final String CONTENT_TYPE_JSONL = "application/x-ndjson";
  private static final String CONTENT_TYPE_GZIP = "application/gzip";
  private static final String CONTENT_TYPE_JSON = "application/json";

  private final Time time;
  private final Function<S3SinkConfig, ObjectStore> storeFactory;

  private S3SinkConfig config;
  private HourFolderPattern hourFolders;
  private ObjectStore store;

  /** Open objects per partition, by hour folder. */
  private final Map<TopicPartition, Map<String, ObjectBuffer>> buffers = new HashMap<>();

  /** Offset after the last record accepted per partition: re-delivered records below it are skipped. */
  private final Map<TopicPartition, Long> nextOffset = new HashMap<>();

  /** Newest event time written to S3 per partition (for its watermark). */
  private final Map<TopicPartition, Long> maxWrittenEventTime = new HashMap<>();

  /**
   * Per assigned partition, the time of the latest empty delivery since it was assigned: the consumer
   * had received everything produced on it before then.
   */
  private final Map<TopicPartition, Long> caughtUpAt = new HashMap<>();

  /** Partitions assigned to this task (open/close). */
  private final Set<TopicPartition> assigned = new HashSet<>();

  private long nullValuesSkipped;

  public S3JsonLinesSinkTask() {
    this(Time.SYSTEM, S3ObjectStore::new);
  }

  S3JsonLinesSinkTask(Time time, Function<S3SinkConfig, ObjectStore> storeFactory) {
    this.time = time;
    this.storeFactory = storeFactory;
  }

  @Override
  public String version() {
    return S3JsonLinesSinkConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new S3SinkConfig(props);
    hourFolders = config.hourFolderPattern();
    store = storeFactory.apply(config);
    LOG.info("S3 sink task writing to s3://{}/{} (compression {}, {} records / {} bytes / {} ms per object)",
        config.bucket(), config.prefix(), config.compression(), config.maxRecords(), config.maxBytes(),
        config.rotateIntervalMs());
  }

  @Override
  public void put(Collection<SinkRecord> records) {
    if (records.isEmpty()) {
      // Connect delivers after every poll; an empty delivery means the last poll found nothing new.
      long now = time.milliseconds();
      for (TopicPartition tp : assigned) {
        caughtUpAt.put(tp, now);
      }
    }
    // Objects that were full when a write failed last time go first.
    for (Map.Entry<TopicPartition, Map<String, ObjectBuffer>> entry : buffers.entrySet()) {
      for (ObjectBuffer buffer : new ArrayList<>(entry.getValue().values())) {
        if (isFull(buffer)) {
          writeOrRetry(entry.getKey(), buffer);
        }
      }
    }
    for (SinkRecord record : records) {
      TopicPartition tp = new TopicPartition(record.topic(), record.kafkaPartition());
      long offset = record.kafkaOffset();
      Long expected = nextOffset.get(tp);
      if (expected != null && offset < expected) {
        continue; // re-delivered after a retriable failure: already buffered or written
      }
      nextOffset.put(tp, offset + 1);
      byte[] line = lineBytes(record);
      if (line == null) {
        nullValuesSkipped++;
        if (nullValuesSkipped == 1 || nullValuesSkipped % 10_000 == 0) {
          LOG.warn("Skipped {} record(s) with a null value (e.g. {}-{}@{}): nothing to write", nullValuesSkipped,
              tp.topic(), tp.partition(), offset);
        }
        continue;
      }
      long eventTimeMs = eventTimeMs(record);
      String hour = hourFolder(eventTimeMs);
      ObjectBuffer buffer = buffers.computeIfAbsent(tp, k -> new TreeMap<>())
          .computeIfAbsent(hour, h -> new ObjectBuffer(h, offset, time.milliseconds()));
      buffer.appendLine(line, eventTimeMs);
      if (isFull(buffer)) {
        writeOrRetry(tp, buffer);
      }
    }
    writeExpired(true);
  }

  private boolean isFull(ObjectBuffer buffer) {
    return buffer.records() >= config.maxRecords() || buffer.size() >= config.maxBytes();
  }

  /**
   * The value bytes exactly as produced (the original JSON line). A line break inside a value would
   * split it into two lines in the object; in JSON a raw line break can only be whitespace between
   * tokens, so replacing it with a space keeps every valid JSON value valid and equal.
   */
  static byte[] lineBytes(SinkRecord record) {
    Object value = record.value();
    byte[] bytes;
    if (value == null) {
      return null;
    } else if (value instanceof String) {
      bytes = ((String) value).getBytes(StandardCharsets.UTF_8);
    } else if (value instanceof byte[]) {
      bytes = ((byte[]) value).clone();
    } else if (value instanceof ByteBuffer) {
      ByteBuffer buffer = ((ByteBuffer) value).duplicate();
      bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
    } else {
      throw new ConnectException("Record " + record.topic() + "-" + record.kafkaPartition() + "@"
          + record.kafkaOffset() + " has a " + value.getClass().getSimpleName() + " value; this sink writes "
          + "raw lines and needs value.converter=org.apache.kafka.connect.storage.StringConverter (or "
          + "ByteArrayConverter) so the original text reaches S3 unchanged.");
    }
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') {
        bytes[i] = ' ';
      }
    }
    return bytes;
  }

  /** The instant that picks the record's hour folder (timestamp.source). */
  private long eventTimeMs(SinkRecord record) {
    if (config.timestampSource() == S3SinkConfig.TimestampSource.RECORD && record.timestamp() != null
        && record.timestamp() >= 0) {
      return record.timestamp();
    }
    return time.milliseconds();
  }

  private String hourFolder(long eventTimeMs) {
    return hourFolders.format(eventTimeMs);
  }

  String objectKey(TopicPartition tp, ObjectBuffer buffer) {
    return config.prefix() + buffer.hourFolder + tp.topic() + "-" + tp.partition() + "-"
        + String.format("%020d", buffer.startOffset) + ".jsonl" + config.compression().extension;
  }

  private void write(TopicPartition tp, ObjectBuffer buffer) throws IOException {
    String key = objectKey(tp, buffer);
    byte[] body = buffer.body(config.compression());
    store.put(key, body,
        config.compression() == S3SinkConfig.Compression.GZIP ? CONTENT_TYPE_GZIP : CONTENT_TYPE_JSONL);
    buffers.get(tp).remove(buffer.hourFolder);
    maxWrittenEventTime.merge(tp, buffer.maxEventTimeMs(), Math::max);
    LOG.info("Wrote s3://{}/{} ({} records, {} bytes)", config.bucket(), key, buffer.records(), body.length);
  }

  /** Writes now; on failure keeps the buffer and asks Connect to re-deliver the batch later. */
  private void writeOrRetry(TopicPartition tp, ObjectBuffer buffer) {
    try {
      write(tp, buffer);
    } catch (IOException e) {
      throw new RetriableException(e.getMessage(), e);
    }
  }

  /** Writes every object whose first record waited file.rotate.interval.ms. */
  private void writeExpired(boolean failAsRetriable) {
    long now = time.milliseconds();
    for (Map.Entry<TopicPartition, Map<String, ObjectBuffer>> entry : buffers.entrySet()) {
      for (ObjectBuffer buffer : new ArrayList<>(entry.getValue().values())) {
        if (now - buffer.createdAtMs >= config.rotateIntervalMs()) {
          if (failAsRetriable) {
            writeOrRetry(entry.getKey(), buffer);
          } else {
            try {
              write(entry.getKey(), buffer);
            } catch (IOException e) {
              LOG.warn("{} Will retry; offsets stay at the first unwritten record.", e.getMessage());
            }
          }
        }
      }
    }
  }

  /** Commits, per partition, only what is in S3: up to the first record of the oldest open object. */
  @Override
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> currentOffsets) {
    writeExpired(false);
    Map<TopicPartition, OffsetAndMetadata> safe = new HashMap<>();
    for (TopicPartition tp : currentOffsets.keySet()) {
      Map<String, ObjectBuffer> open = buffers.get(tp);
      Long commit = nextOffset.get(tp);
      if (open != null) {
        for (ObjectBuffer buffer : open.values()) {
          commit = commit == null ? buffer.startOffset : Math.min(commit, buffer.startOffset);
        }
      }
      if (commit != null) {
        safe.put(tp, new OffsetAndMetadata(commit));
      }
      writeWatermark(tp, commit);
    }
    return safe;
  }

  /**
   * Records how far the partition has reached S3 (SinkWatermark), from the state after this commit's
   * writes, so it never covers a record that is still in memory. A failed write only delays the
   * watermark to the next commit: the data and the offsets are not affected.
   */
  private void writeWatermark(TopicPartition tp, Long committedOffset) {
    Map<String, ObjectBuffer> open = buffers.getOrDefault(tp, Map.of());
    Long minPending = null;
    int pending = 0;
    for (ObjectBuffer buffer : open.values()) {
      pending += buffer.records();
      minPending = minPending == null ? buffer.minEventTimeMs() : Math.min(minPending, buffer.minEventTimeMs());
    }
    SinkWatermark watermark = SinkWatermark.of(tp, committedOffset, pending, minPending,
        maxWrittenEventTime.get(tp), caughtUpAt.get(tp), time.milliseconds());
    if (watermark == null) {
      return;
    }
    String key = SinkWatermark.key(config.prefix() + config.watermarkFolder(), tp);
    try {
      store.put(key, watermark.json(), CONTENT_TYPE_JSON);
    } catch (IOException e) {
      LOG.warn("{} The watermark of {} is written again at the next commit.", e.getMessage(), tp);
    }
  }

  @Override
  public void open(Collection<TopicPartition> partitions) {
    assigned.addAll(partitions);
  }

  /** Partitions moving to another task: drop their unwritten lines, the new owner re-reads them. */
  @Override
  public void close(Collection<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      assigned.remove(tp);
      caughtUpAt.remove(tp);
      buffers.remove(tp);
      nextOffset.remove(tp);
      maxWrittenEventTime.remove(tp);
    }
  }

  @Override
  public void stop() {
    buffers.clear();
    nextOffset.clear();
    maxWrittenEventTime.clear();
    caughtUpAt.clear();
    assigned.clear();
    if (store != null) {
      store.close();
    }
  }

  /** For tests: records waiting in memory. */
  int bufferedRecords() {
    return buffers.values().stream().flatMap(m -> m.values().stream()).mapToInt(ObjectBuffer::records).sum();
  }
}
