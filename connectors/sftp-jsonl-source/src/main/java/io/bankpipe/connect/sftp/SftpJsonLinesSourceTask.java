package io.bankpipe.connect.sftp;

import io.bankpipe.connect.sftp.SftpSession.RemoteFile;
import io.bankpipe.connect.sftp.SftpSourceConfig.FinishedFileAction;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads finished JSON-lines files from an SFTP directory and emits one record per non-blank line.
 *
 * <p>Delivery: each record carries the byte position after its line as source offset, so after a
 * restart reading resumes at the first line whose offset was not committed (at-least-once; the
 * downstream job de-duplicates by transaction_id). A file is moved/deleted only after Kafka
 * acknowledged every record read from it, so a crash never loses lines; once moved it cannot be
 * read twice.
 */
public final class SftpJsonLinesSourceTask extends SourceTask {
  private static final Logger LOG = LoggerFactory.getLogger(SftpJsonLinesSourceTask.class);

  static final String HEADER_FILE = "source.file";
  static final String HEADER_LINE = "source.line";
  private static final long MAX_RETRY_BACKOFF_MS = 60_000;

  private final Time time;
  private final Object sessionLock = new Object();
  private final Object sleepLock = new Object();

  private SftpSourceConfig config;
  private Pattern fileNamePattern;
  private SftpSession session;
  private volatile boolean stopping;

  /** Files this task started reading and has not finished (read + acknowledged + moved) yet. */
  private final Map<String, FileProgress> inProgress = new LinkedHashMap<>();

  /** The same files, for lookups from the producer callback thread (commitRecord). */
  private final Map<String, FileProgress> awaitingAcks = new ConcurrentHashMap<>();

  /** File being read right now, and its reader; null between files. */
  private FileProgress current;

  private LineReader currentReader;

  /**
   * Files this task completed but left in place (finished.file.action=leave), by path -> identity,
   * so they are skipped even before their offsets are flushed.
   */
  private final Map<String, String> completedInPlace = new HashMap<>();

  private long nextAttemptAtMs;
  private long retryBackoffMs;

  public SftpJsonLinesSourceTask() {
    this(Time.SYSTEM);
  }

  SftpJsonLinesSourceTask(Time time) {
    this.time = time;
  }

  @Override
  public String version() {
    return SftpJsonLinesSourceConnector.VERSION;
  }

  @Override
  public void start(Map<String, String> props) {
    config = new SftpSourceConfig(props);
    fileNamePattern = config.fileNamePattern();
    stopping = false;
    LOG.info("Starting SFTP source task {}/{} on {}:{}{} -> topic {}", config.taskIndex() + 1,
        config.taskCount(), config.host(), config.port(), config.inputDir(), config.topic());
  }

  @Override
  public List<SourceRecord> poll() throws InterruptedException {
    if (!waitBriefly(nextAttemptAtMs)) {
      // Not time yet: return to the worker, which checks for shutdown between polls.
      return null;
    }
    List<SourceRecord> records = new ArrayList<>();
    boolean idle;
    synchronized (sessionLock) {
      if (stopping) {
        return null;
      }
      try {
        ensureConnected();
        completeFinishedFiles();
        readBatch(records);
        idle = records.isEmpty() && current == null;
        retryBackoffMs = 0;
      } catch (RetriableException e) {
        scheduleRetry(e);
        if (!records.isEmpty()) {
          // The lines already read are complete and their offsets exact: hand them over, and
          // resume after them once reconnected.
          return records;
        }
        throw e;
      } catch (com.jcraft.jsch.SftpException | IOException e) {
        RetriableException retriable = new RetriableException("SFTP operation on " + config.host() + ":"
            + config.port() + " failed (" + e.getMessage() + "); reconnecting and resuming after the last "
            + "line read. If this repeats, check that the directories exist and the user may read and "
            + "rename files in " + config.inputDir() + (config.finishedFileAction() == FinishedFileAction.MOVE
            ? " and " + config.processedDir() : "") + ".", e);
        scheduleRetry(retriable);
        if (!records.isEmpty()) {
          return records;
        }
        throw retriable;
      }
    }
    if (idle) {
      // Nothing to read now: list again after the poll interval, not in a busy loop.
      nextAttemptAtMs = time.milliseconds() + config.pollIntervalMs();
    }
    return records.isEmpty() ? null : records;
  }

  private void scheduleRetry(ConnectException cause) {
    retryBackoffMs = retryBackoffMs == 0 ? 1_000 : Math.min(retryBackoffMs * 2, MAX_RETRY_BACKOFF_MS);
    nextAttemptAtMs = time.milliseconds() + retryBackoffMs;
    closeSessionQuietly();
    LOG.warn("{} Retrying in {} ms.", cause.getMessage(), retryBackoffMs);
  }

  /**
   * Waits for the deadline, but at most one second per call so the worker can stop the task
   * promptly (it calls stop() only after poll() returned). True when the deadline has passed.
   */
  private boolean waitBriefly(long deadlineMs) throws InterruptedException {
    synchronized (sleepLock) {
      long remaining = deadlineMs - time.milliseconds();
      if (!stopping && remaining > 0) {
        sleepLock.wait(Math.min(remaining, 1_000));
      }
    }
    return !stopping && time.milliseconds() >= deadlineMs;
  }

  private void ensureConnected() throws com.jcraft.jsch.SftpException {
    if (session != null && session.isConnected()) {
      return;
    }
    closeSessionQuietly();
    session = SftpSession.open(config);
    if (config.finishedFileAction() == FinishedFileAction.MOVE) {
      session.mkdirs(config.processedDir());
    }
  }

  /** Moves/deletes every file that was read to the end and whose records Kafka acknowledged. */
  private void completeFinishedFiles() throws com.jcraft.jsch.SftpException {
    Iterator<FileProgress> it = inProgress.values().iterator();
    while (it.hasNext()) {
      FileProgress progress = it.next();
      if (progress != current && progress.isFinished()) {
        applyFinishedFileAction(progress.file);
        it.remove();
        awaitingAcks.remove(progress.file.path);
      }
    }
  }

  private void applyFinishedFileAction(RemoteFile file) throws com.jcraft.jsch.SftpException {
    switch (config.finishedFileAction()) {
      case MOVE:
        String target = config.processedDir() + "/" + file.name;
        if (session.exists(target)) {
          // Same name delivered again later: keep both, never overwrite what was processed.
          target = target + "." + time.milliseconds();
        }
        session.rename(file.path, target);
        LOG.info("Finished {}: moved to {}", file, target);
        break;
      case DELETE:
        session.delete(file.path);
        LOG.info("Finished {}: deleted", file);
        break;
      case LEAVE:
      default:
        completedInPlace.put(file.path, identity(file));
        LOG.info("Finished {}: left in place", file);
        break;
    }
  }

  private static String identity(RemoteFile file) {
    return file.size + "@" + file.mtimeSeconds;
  }

  /** Appends up to batch.size records to records; on an error the ones added so far stay valid. */
  private void readBatch(List<SourceRecord> records) throws com.jcraft.jsch.SftpException, IOException {
    while (records.size() < config.batchSize() && !stopping) {
      if (current == null && !openNextFile()) {
        break;
      }
      LineReader.Line line = currentReader.next();
      if (line == null) {
        finishReading();
        continue;
      }
      current.lineConsumed(line.endPosition);
      if (line.isBlank()) {
        continue;
      }
      records.add(toRecord(current, line));
      current.recordEmitted();
    }
  }

  private void finishReading() {
    current.markEndReached();
    LOG.info("Read {} to the end: {} records", current.file, current.emitted());
    closeReaderQuietly();
    current = null;
  }

  private SourceRecord toRecord(FileProgress progress, LineReader.Line line) {
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString(HEADER_FILE, progress.file.path);
    headers.addLong(HEADER_LINE, progress.lineNumber());
    String key = config.recordKey() == SftpSourceConfig.RecordKey.FILE_NAME ? progress.file.name : null;
    return new SourceRecord(FileProgress.sourcePartition(progress.file.path),
        progress.offsetAfter(line.endPosition, progress.lineNumber()), config.topic(), null,
        key == null ? null : Schema.STRING_SCHEMA, key, Schema.STRING_SCHEMA, line.text, null, headers);
  }

  /**
   * Picks the next file to read: one started earlier in this run (after a reconnect), else the oldest
   * finished, matching, not yet completed file in the input directory. Returns false if none.
   */
  private boolean openNextFile() throws com.jcraft.jsch.SftpException, IOException {
    for (FileProgress progress : inProgress.values()) {
      if (!progress.endReached()) {
        open(progress);
        return true;
      }
    }
    List<RemoteFile> candidates = listCandidates();
    if (candidates.isEmpty()) {
      return false;
    }
    Map<String, Map<String, Object>> storedOffsets = storedOffsets(candidates);
    for (RemoteFile file : candidates) {
      FileProgress progress = resumeFrom(file, storedOffsets.get(file.path));
      if (progress.endReached()) {
        // Fully read before a restart, but not yet moved: finish it now, nothing to re-read.
        applyFinishedFileAction(file);
        continue;
      }
      inProgress.put(file.path, progress);
      awaitingAcks.put(file.path, progress);
      open(progress);
      return true;
    }
    return false;
  }

  private void open(FileProgress progress) throws com.jcraft.jsch.SftpException {
    currentReader = new LineReader(session.openAt(progress.file.path, progress.nextPosition()),
        progress.nextPosition());
    current = progress;
    LOG.debug("Reading {} from byte {}", progress.file, progress.nextPosition());
  }

  private List<RemoteFile> listCandidates() throws com.jcraft.jsch.SftpException {
    long nowSeconds = time.milliseconds() / 1000;
    long minAgeSeconds = (config.minFileAgeMs() + 999) / 1000;
    List<RemoteFile> candidates = new ArrayList<>();
    for (RemoteFile file : session.listFiles(config.inputDir())) {
      if (!fileNamePattern.matcher(file.name).matches()
          || Math.floorMod(file.name.hashCode(), config.taskCount()) != config.taskIndex()
          || inProgress.containsKey(file.path)
          || identity(file).equals(completedInPlace.get(file.path))) {
        continue;
      }
      if (nowSeconds - file.mtimeSeconds < minAgeSeconds) {
        LOG.debug("Skipping {} for now: modified less than {} ms ago", file, config.minFileAgeMs());
        continue;
      }
      candidates.add(file);
    }
    // Oldest first, so files are read in the order they were delivered.
    candidates.sort(Comparator.comparingLong((RemoteFile f) -> f.mtimeSeconds).thenComparing(f -> f.name));
    return candidates;
  }

  private Map<String, Map<String, Object>> storedOffsets(List<RemoteFile> files) {
    List<Map<String, String>> partitions = new ArrayList<>();
    for (RemoteFile file : files) {
      partitions.add(FileProgress.sourcePartition(file.path));
    }
    Map<Map<String, String>, Map<String, Object>> found =
        context.offsetStorageReader().offsets(partitions);
    Map<String, Map<String, Object>> byPath = new HashMap<>();
    if (found != null) {
      for (Map.Entry<Map<String, String>, Map<String, Object>> e : found.entrySet()) {
        if (e.getValue() != null) {
          byPath.put(e.getKey().get(FileProgress.PARTITION_FILE), e.getValue());
        }
      }
    }
    return byPath;
  }

  /**
   * Where to start in a file given its committed offset: after the last committed line if the file
   * is the same one (same mtime, not shorter); from the start if there is no offset or the file was
   * replaced since (then a line might be delivered twice, never lost).
   */
  private FileProgress resumeFrom(RemoteFile file, Map<String, Object> offset) {
    if (offset == null) {
      return new FileProgress(file, 0, 0);
    }
    long position = asLong(offset.get(FileProgress.OFFSET_POSITION));
    long line = asLong(offset.get(FileProgress.OFFSET_LINE));
    long storedMtime = asLong(offset.get(FileProgress.OFFSET_MTIME));
    if (storedMtime == file.mtimeSeconds && position <= file.size) {
      FileProgress progress = new FileProgress(file, position, line);
      if (position == file.size) {
        progress.markEndReached();
      }
      LOG.info("Resuming {} after line {} (byte {})", file, line, position);
      return progress;
    }
    LOG.warn("{} changed since it was last read (stored offset {}); reading it again from the start", file,
        offset);
    return new FileProgress(file, 0, 0);
  }

  private static long asLong(Object value) {
    return value instanceof Number ? ((Number) value).longValue() : -1;
  }

  /** Called by Connect once Kafka acknowledged a record (or a transformation dropped it). */
  @Override
  public void commitRecord(SourceRecord record, RecordMetadata metadata) {
    Object path = record.sourcePartition().get(FileProgress.PARTITION_FILE);
    FileProgress progress = awaitingAcks.get(Objects.toString(path));
    if (progress != null) {
      progress.recordAcknowledged();
    }
  }

  @Override
  public void stop() {
    stopping = true;
    synchronized (sleepLock) {
      sleepLock.notifyAll();
    }
    synchronized (sessionLock) {
      closeReaderQuietly();
      closeSessionQuietly();
    }
  }

  private void closeReaderQuietly() {
    if (currentReader != null) {
      try {
        currentReader.close();
      } catch (IOException e) {
        LOG.debug("Ignoring error while closing a reader", e);
      }
      currentReader = null;
    }
  }

  private void closeSessionQuietly() {
    closeReaderQuietly();
    current = null;
    if (session != null) {
      session.close();
      session = null;
    }
  }

  /** For tests: what a dropped connection does (the next poll reconnects and resumes). */
  void dropConnection() {
    synchronized (sessionLock) {
      closeSessionQuietly();
    }
  }

  /** For tests: files read or being read and not yet finished. */
  List<String> filesInProgress() {
    return Collections.unmodifiableList(new ArrayList<>(inProgress.keySet()));
  }
}
