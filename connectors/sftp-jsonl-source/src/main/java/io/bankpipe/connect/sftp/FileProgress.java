package io.bankpipe.connect.sftp;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the task knows about one file it has started reading: where the next line starts, how many
 * records it handed to Connect and how many Kafka has acknowledged. A file is finished when it was
 * read to the end and every record is acknowledged; only then may it be moved or deleted.
 *
 * <p>The read position is touched only by the task thread; the acknowledgement counter also by the
 * producer's callback thread (SourceTask.commitRecord), hence the atomic.
 */
final class FileProgress {
  static final String PARTITION_FILE = "file";
  static final String OFFSET_POSITION = "position";
  static final String OFFSET_LINE = "line";
  static final String OFFSET_SIZE = "size";
  static final String OFFSET_MTIME = "mtime";

  final SftpSession.RemoteFile file;
  private long nextPosition;
  private long lineNumber;
  private long emitted;
  private volatile boolean endReached;
  private final AtomicLong acknowledged = new AtomicLong();

  FileProgress(SftpSession.RemoteFile file, long startPosition, long startLine) {
    this.file = file;
    this.nextPosition = startPosition;
    this.lineNumber = startLine;
  }

  static Map<String, String> sourcePartition(String path) {
    Map<String, String> partition = new HashMap<>();
    partition.put(PARTITION_FILE, path);
    return partition;
  }

  /** The stored offset after a line: enough to resume after it and to tell whether the file changed since. */
  Map<String, Object> offsetAfter(long position, long line) {
    Map<String, Object> offset = new HashMap<>();
    offset.put(OFFSET_POSITION, position);
    offset.put(OFFSET_LINE, line);
    offset.put(OFFSET_SIZE, file.size);
    offset.put(OFFSET_MTIME, file.mtimeSeconds);
    return offset;
  }

  long nextPosition() {
    return nextPosition;
  }

  long lineNumber() {
    return lineNumber;
  }

  /** Called for every physical line read, blank or not. */
  void lineConsumed(long endPosition) {
    nextPosition = endPosition;
    lineNumber++;
  }

  void recordEmitted() {
    emitted++;
  }

  void recordAcknowledged() {
    acknowledged.incrementAndGet();
  }

  void markEndReached() {
    endReached = true;
  }

  boolean endReached() {
    return endReached;
  }

  long emitted() {
    return emitted;
  }

  boolean isFinished() {
    return endReached && acknowledged.get() >= emitted;
  }
}
