package io.bankpipeline.connect.s3;

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

  ObjectBuffer(String hourFolder, long startOffset, long createdAtMs) {
    this.hourFolder = hourFolder;
    this.startOffset = startOffset;
    this.createdAtMs = createdAtMs;
  }

  void appendLine(byte[] line) {
    bytes.write(line, 0, line.length);
    bytes.write('\n');
    records++;
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
