package io.bankpipe.connect.sftp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into lines on '\n', dropping a '\r' right before it (CRLF files), and keeps the
 * exact byte position after each line so a restart can resume at a line boundary. Works on bytes,
 * not characters: a line that is not valid UTF-8 neither breaks the splitting nor shifts the offsets.
 * A last line without a final newline is still a line.
 */
final class LineReader implements AutoCloseable {

  /** One line: its text (invalid UTF-8 replaced by U+FFFD) and the byte position just after it. */
  static final class Line {
    final String text;
    final long endPosition;

    Line(String text, long endPosition) {
      this.text = text;
      this.endPosition = endPosition;
    }

    boolean isBlank() {
      return text.trim().isEmpty();
    }
  }

  private final InputStream in;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
  private long position;
  private boolean atFileStart;

  LineReader(InputStream in, long startPosition) {
    this.in = new BufferedInputStream(in, 64 * 1024);
    this.position = startPosition;
    this.atFileStart = startPosition == 0;
  }

  /** The next line, or null at the end of the stream. */
  Line next() throws IOException {
    buffer.reset();
    int b;
    while ((b = in.read()) != -1) {
      position++;
      if (b == '\n') {
        return new Line(decode(), position);
      }
      buffer.write(b);
    }
    if (buffer.size() > 0) {
      return new Line(decode(), position);
    }
    return null;
  }

  long position() {
    return position;
  }

  private String decode() {
    byte[] bytes = buffer.toByteArray();
    int start = 0;
    int length = bytes.length;
    // A UTF-8 byte order mark is an artefact of the editor that wrote the file, not data: drop it
    // so the first line is parseable JSON like the others.
    if (atFileStart && length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
        && (bytes[2] & 0xFF) == 0xBF) {
      start = 3;
    }
    atFileStart = false;
    if (length > start && bytes[length - 1] == '\r') {
      length--;
    }
    // new String(...) replaces malformed input with U+FFFD instead of failing: the connector carries
    // every line through, and judging content is the Spark job's work.
    return new String(bytes, start, length - start, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
