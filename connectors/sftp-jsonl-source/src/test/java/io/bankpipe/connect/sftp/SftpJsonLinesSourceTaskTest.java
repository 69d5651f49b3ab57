package io.bankpipe.connect.sftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bankpipe.connect.common.PipelineLayout;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** Runs the task against a real SFTP server on 127.0.0.1. */
class SftpJsonLinesSourceTaskTest {
  private static final String TOPIC = PipelineLayout.TOPIC;

  @TempDir static Path serverRoot;
  @TempDir static Path keyDir;
  private static TestSftpServer server;

  private String dirName;
  private Path inputDir;
  private Path processedDir;
  private FakeContext context;
  private final List<SftpJsonLinesSourceTask> tasks = new ArrayList<>();

  @BeforeAll
  static void startServer() throws Exception {
    server = TestSftpServer.start(serverRoot, keyDir.resolve("host.ser"));
  }

  @AfterAll
  static void stopServer() throws IOException {
    server.close();
  }

  @BeforeEach
  void freshDirectories(TestInfo info) throws IOException {
    dirName = info.getTestMethod().orElseThrow().getName();
    inputDir = Files.createDirectories(serverRoot.resolve(dirName).resolve("in"));
    processedDir = serverRoot.resolve(dirName).resolve("done");
    context = new FakeContext();
  }

  @AfterEach
  void stopTasks() {
    tasks.forEach(SftpJsonLinesSourceTask::stop);
  }

  private Map<String, String> config() {
    Map<String, String> props = new HashMap<>();
    props.put("sftp.host", "127.0.0.1");
    props.put("sftp.port", Integer.toString(server.port()));
    props.put("sftp.username", TestSftpServer.USER);
    props.put("sftp.password", TestSftpServer.PASSWORD);
    props.put("sftp.host.key.fingerprint", server.hostKeyFingerprint);
    props.put("input.dir", "/" + dirName + "/in");
    props.put("processed.dir", "/" + dirName + "/done");
    props.put("input.file.min.age.ms", "0");
    props.put("poll.interval.ms", "100");
    props.put("topic", TOPIC);
    return props;
  }

  private SftpJsonLinesSourceTask startTask(Map<String, String> props) {
    SftpJsonLinesSourceTask task = new SftpJsonLinesSourceTask();
    task.initialize(context);
    task.start(props);
    tasks.add(task);
    return task;
  }

  private Path writeFile(String name, byte[] content) throws IOException {
    Path file = inputDir.resolve(name);
    Files.write(file, content);
    // Old enough for any min-age rule; distinct per content so "changed file" tests are meaningful.
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
    return file;
  }

  private Path writeFile(String name, String content) throws IOException {
    return writeFile(name, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Polls until there is nothing left to do, optionally acknowledging every record like the worker
   * does after Kafka accepted it (then finished files get moved on the next poll).
   */
  private List<SourceRecord> drain(SftpJsonLinesSourceTask task, boolean acknowledge) throws InterruptedException {
    List<SourceRecord> all = new ArrayList<>();
    int emptyPolls = 0;
    for (int i = 0; i < 50 && emptyPolls < 2; i++) {
      List<SourceRecord> batch = task.poll();
      if (batch == null) {
        emptyPolls++;
        if (acknowledge && task.filesInProgress().isEmpty()) {
          break;
        }
        continue;
      }
      emptyPolls = 0;
      all.addAll(batch);
      if (acknowledge) {
        batch.forEach(r -> task.commitRecord(r, null));
      }
    }
    return all;
  }

  private static List<String> values(List<SourceRecord> records) {
    return records.stream().map(r -> (String) r.value()).collect(Collectors.toList());
  }

  private static Object header(SourceRecord record, String key) {
    Header header = record.headers().lastWithName(key);
    return header == null ? null : header.value();
  }

  @Test
  void emitsOneRecordPerNonBlankLineWithFileAndLineHeaders() throws Exception {
    byte[] invalidUtf8 = {'{', '"', 'x', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    java.io.ByteArrayOutputStream content = new java.io.ByteArrayOutputStream();
    content.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}); // UTF-8 BOM
    content.write("{\"transaction_id\":\"t1\"}\r\n".getBytes(StandardCharsets.UTF_8)); // CRLF
    content.write("\n   \n".getBytes(StandardCharsets.UTF_8)); // blank lines are skipped
    content.write("{\"transaction_id\":\"t2\",\"city\":\"Zürich\"}\n".getBytes(StandardCharsets.UTF_8));
    content.write(invalidUtf8);
    content.write('\n');
    content.write("{\"transaction_id\":\"t4\"}".getBytes(StandardCharsets.UTF_8)); // no final newline
    writeFile("day1.jsonl", content.toByteArray());

    SftpJsonLinesSourceTask task = startTask(config());
    List<SourceRecord> records = drain(task, false);

    assertEquals(List.of("{\"transaction_id\":\"t1\"}", "{\"transaction_id\":\"t2\",\"city\":\"Zürich\"}",
        "{\"x\":\"\uFFFD(\"}", "{\"transaction_id\":\"t4\"}"), values(records));
    SourceRecord first = records.get(0);
    assertEquals(TOPIC, first.topic());
    assertNull(first.key(), "record.key defaults to none");
    assertEquals("/" + dirName + "/in/day1.jsonl", header(first, "source.file"));
    assertEquals(List.of(1L, 4L, 5L, 6L),
        records.stream().map(r -> header(r, "source.line")).collect(Collectors.toList()));
    assertEquals(Map.of("file", "/" + dirName + "/in/day1.jsonl"), first.sourcePartition());
    long size = content.size();
    assertEquals(size, records.get(3).sourceOffset().get("position"), "last offset is the end of the file");
    assertEquals(size, records.get(3).sourceOffset().get("size"));
  }

  @Test
  void movesFileOnlyAfterEveryRecordIsAcknowledged() throws Exception {
    writeFile("a.jsonl", "{\"n\":1}\n{\"n\":2}\n");
    SftpJsonLinesSourceTask task = startTask(config());

    List<SourceRecord> records = drain(task, false);
    assertEquals(2, records.size());
    task.poll();
    assertTrue(Files.exists(inputDir.resolve("a.jsonl")), "not moved while records are unacknowledged");

    task.commitRecord(records.get(0), null);
    task.poll();
    assertTrue(Files.exists(inputDir.resolve("a.jsonl")), "not moved while one record is unacknowledged");

    task.commitRecord(records.get(1), null);
    task.poll();
    assertFalse(Files.exists(inputDir.resolve("a.jsonl")));
    assertEquals("{\"n\":1}\n{\"n\":2}\n", Files.readString(processedDir.resolve("a.jsonl")));
    assertNull(task.poll(), "a moved file is never read again");
  }

  @Test
  void leavesNonMatchingAndTooRecentFilesAlone() throws Exception {
    writeFile("notes.txt", "not a transaction log\n");
    writeFile("day.jsonl.part", "{\"partial\":true}\n");
    Path fresh = inputDir.resolve("fresh.jsonl");
    Files.writeString(fresh, "{\"fresh\":true}\n"); // modified just now
    writeFile("ok.json", "{\"ok\":true}\n");
    Map<String, String> props = config();
    props.put("input.file.min.age.ms", "600000");

    SftpJsonLinesSourceTask task = startTask(props);
    List<SourceRecord> records = drain(task, true);

    assertEquals(List.of("{\"ok\":true}"), values(records));
    assertTrue(Files.exists(inputDir.resolve("notes.txt")));
    assertTrue(Files.exists(inputDir.resolve("day.jsonl.part")));
    assertTrue(Files.exists(fresh), "a file still being written is left for a later poll");
    assertTrue(Files.exists(processedDir.resolve("ok.json")));
  }

  @Test
  void resumesAfterTheLastCommittedLine() throws Exception {
    Path file = writeFile("resume.jsonl", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
    String path = "/" + dirName + "/in/resume.jsonl";
    long mtime = Files.getLastModifiedTime(file).toInstant().getEpochSecond();
    // What a previous run committed after line 2 ("{"n":1}\n{"n":2}\n" = 16 bytes).
    context.offsets.put(Map.of("file", path), Map.of("position", 16L, "line", 2L, "size", 24L, "mtime", mtime));

    SftpJsonLinesSourceTask task = startTask(config());
    List<SourceRecord> records = drain(task, true);

    assertEquals(List.of("{\"n\":3}"), values(records));
    assertEquals(3L, header(records.get(0), "source.line"));
    assertTrue(Files.exists(processedDir.resolve("resume.jsonl")));
  }

  @Test
  void fullyReadFileFromAPreviousRunIsMovedWithoutRereading() throws Exception {
    Path file = writeFile("done.jsonl", "{\"n\":1}\n");
    long mtime = Files.getLastModifiedTime(file).toInstant().getEpochSecond();
    context.offsets.put(Map.of("file", "/" + dirName + "/in/done.jsonl"),
        Map.of("position", 8L, "line", 1L, "size", 8L, "mtime", mtime));

    SftpJsonLinesSourceTask task = startTask(config());
    assertNull(task.poll());

    assertTrue(Files.exists(processedDir.resolve("done.jsonl")));
  }

  @Test
  void replacedFileWithTheSameNameIsReadFromTheStart() throws Exception {
    writeFile("same.jsonl", "{\"v\":\"new-1\"}\n{\"v\":\"new-2\"}\n");
    context.offsets.put(Map.of("file", "/" + dirName + "/in/same.jsonl"),
        Map.of("position", 14L, "line", 1L, "size", 28L, "mtime", 12345L));

    SftpJsonLinesSourceTask task = startTask(config());

    assertEquals(List.of("{\"v\":\"new-1\"}", "{\"v\":\"new-2\"}"), values(drain(task, true)));
  }

  @Test
  void batchSizeLimitsEachPollAndDeleteActionRemovesTheFile() throws Exception {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= 5; i++) {
      lines.append("{\"n\":").append(i).append("}\n");
    }
    writeFile("five.jsonl", lines.toString());
    Map<String, String> props = config();
    props.put("batch.size", "2");
    props.put("finished.file.action", "delete");
    props.remove("processed.dir");

    SftpJsonLinesSourceTask task = startTask(props);
    List<SourceRecord> first = task.poll();
    assertEquals(2, first.size());
    first.forEach(r -> task.commitRecord(r, null));
    List<SourceRecord> rest = drain(task, true);

    assertEquals(3, rest.size());
    assertFalse(Files.exists(inputDir.resolve("five.jsonl")));
    assertFalse(Files.exists(processedDir));
  }

  @Test
  void aDroppedConnectionResumesAfterTheLastLineHandedOver() throws Exception {
    writeFile("long.jsonl", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n");
    Map<String, String> props = config();
    props.put("batch.size", "2");
    SftpJsonLinesSourceTask task = startTask(props);

    List<SourceRecord> records = new ArrayList<>(task.poll());
    task.dropConnection();
    records.addAll(drain(task, false));
    records.forEach(r -> task.commitRecord(r, null));
    task.poll();

    assertEquals(List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}"), values(records));
    assertTrue(Files.exists(processedDir.resolve("long.jsonl")));
  }

  @Test
  void leaveActionKeepsTheFileButDoesNotReadItAgain() throws Exception {
    writeFile("keep.jsonl", "{\"n\":1}\n");
    Map<String, String> props = config();
    props.put("finished.file.action", "leave");
    props.put("record.key", "file_name");

    SftpJsonLinesSourceTask task = startTask(props);
    List<SourceRecord> records = drain(task, true);
    assertEquals(1, records.size());
    assertEquals("keep.jsonl", records.get(0).key());
    assertNull(task.poll());
    assertNull(task.poll());

    assertTrue(Files.exists(inputDir.resolve("keep.jsonl")));
  }

  @Test
  void tasksSplitTheFilesBetweenThem() throws Exception {
    for (int i = 0; i < 6; i++) {
      writeFile("f" + i + ".jsonl", "{\"file\":" + i + "}\n");
    }
    SftpJsonLinesSourceConnector connector = new SftpJsonLinesSourceConnector();
    connector.start(config());
    List<Map<String, String>> taskConfigs = connector.taskConfigs(2);

    List<String> seen = new ArrayList<>();
    for (Map<String, String> taskConfig : taskConfigs) {
      seen.addAll(values(drain(startTask(taskConfig), true)));
    }

    assertEquals(6, seen.size());
    assertEquals(6, seen.stream().distinct().count(), "each file is read by exactly one task");
  }

  /** The first poll's error with one setting changed, checked to be one that a retry would not fix. */
  private ConnectException permanentPollFailure(String key, String value) {
    Map<String, String> props = config();
    props.put(key, value);
    SftpJsonLinesSourceTask task = startTask(props);

    ConnectException e = assertThrows(ConnectException.class, task::poll);

    assertFalse(e instanceof RetriableException, "a rejected login or an untrusted host will not fix itself");
    return e;
  }

  @Test
  void wrongPasswordFailsWithServerAndWhatToCheck() {
    ConnectException e = permanentPollFailure("sftp.password", "wrong");
    assertTrue(e.getMessage().contains("127.0.0.1:" + server.port()), e.getMessage());
    assertTrue(e.getMessage().contains("'" + TestSftpServer.USER + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("sftp.password"), e.getMessage());
  }

  @Test
  void untrustedHostKeyFailsAndNamesTheSetting() {
    ConnectException e =
        permanentPollFailure("sftp.host.key.fingerprint", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assertTrue(e.getMessage().contains("host key"), e.getMessage());
    assertTrue(e.getMessage().contains("sftp.host.key.fingerprint"), e.getMessage());
  }

  @Test
  void knownHostsLineIsAnAlternativeToTheFingerprint() throws Exception {
    writeFile("kh.jsonl", "{\"n\":1}\n");
    Map<String, String> props = config();
    props.remove("sftp.host.key.fingerprint");
    props.put("sftp.known.hosts", server.knownHostsLine());

    List<SourceRecord> records = drain(startTask(props), true);

    assertEquals(1, records.size());
  }

  @Test
  void hostKeyCheckingCanOnlyBeSkippedExplicitly() throws Exception {
    writeFile("insecure.jsonl", "{\"n\":1}\n");
    Map<String, String> props = config();
    props.remove("sftp.host.key.fingerprint");
    props.put("sftp.strict.host.key.checking", "false");

    List<SourceRecord> records = drain(startTask(props), true);

    assertEquals(1, records.size());
  }

  @Test
  void unreachableServerIsRetriableAndNamesHostAndPort() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> props = config();
    props.put("sftp.port", Integer.toString(closedPort));
    props.put("sftp.connect.timeout.ms", "2000");
    SftpJsonLinesSourceTask task = startTask(props);

    RetriableException e = assertThrows(RetriableException.class, task::poll);

    assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
    assertTrue(e.getMessage().contains("sftp.port"), e.getMessage());
    assertInstanceOf(com.jcraft.jsch.JSchException.class, e.getCause());
  }

  /** Worker-side stand-in: serves committed offsets like the offset store would. */
  static final class FakeContext implements SourceTaskContext {
    final Map<Map<String, ?>, Map<String, Object>> offsets = new HashMap<>();

    @Override
    public Map<String, String> configs() {
      return Map.of();
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
      return new OffsetStorageReader() {
        @Override
        public <T> Map<String, Object> offset(Map<String, T> partition) {
          return offsets.get(partition);
        }

        @Override
        public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
          Map<Map<String, T>, Map<String, Object>> result = new HashMap<>();
          for (Map<String, T> partition : partitions) {
            result.put(partition, offsets.get(partition));
          }
          return result;
        }
      };
    }
  }
}
