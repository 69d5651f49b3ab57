package io.bankpipe.connect.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;

/** The lines of one future object: one topic partition, one hour folder, consecutive offsets. */
final class ObjectBuffer {
  final String hourFolder;
  final long startOffset;
  final long createdAtMs;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
  private int records;
  /** Earliest and latest event time (the instant that picked the hour folder) of the lines, epoch ms. */
  private long minEventTimeMs = Long.MAX_VALUE;
  private long maxEventTimeMs = Long.MIN_VALUE;

  ObjectBuffer(String hourFolder, long startOffset, long createdAtMs) {
    this.hourFolder = hourFolder;
    this.startOffset = startOffset;
    this.createdAtMs = createdAtMs;
  }

  void appendLine(byte[] line, long eventTimeMs) {
    bytes.write(line, 0, line.length);
    bytes.write('\n');
    records++;
    minEventTimeMs = Math.min(minEventTimeMs, eventTimeMs);
    maxEventTimeMs = Math.max(maxEventTimeMs, eventTimeMs);
  }

  long minEventTimeMs() {
    return minEventTimeMs;
  }

  long maxEventTimeMs() {
    return maxEventTimeMs;
  }

  int records() {
    return records;
  }

  long size() {
    return bytes.size();
  }

  byte[] body(S3SinkConfig.Compression compression) {
    if (compression == S3SinkConfig.Compression.NONE) {
      return bytes.toByteArray();
    }
    ByteArrayOutputStream compressed = new ByteArrayOutputStream(bytes.size() / 4 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
      bytes.writeTo(gzip);
    } catch (IOException e) {
      throw new UncheckedIOException("gzip into memory cannot fail", e);
    }
    return compressed.toByteArray();
  }
}
