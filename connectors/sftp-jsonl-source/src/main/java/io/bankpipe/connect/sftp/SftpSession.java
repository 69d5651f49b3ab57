package io.bankpipe.connect.sftp;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchHostKeyException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SftpATTRS;
import com.jcraft.jsch.SftpException;
import com.jcraft.jsch.Slf4jLogger;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in SFTP session and the few file operations the source task needs. Turns JSch's
 * exceptions into Connect exceptions whose message says which server, what went wrong and what to
 * check: configuration problems (login, host key) are fatal, network problems are retriable.
 */
final class SftpSession implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SftpSession.class);

  static {
    // JSch logs through its own interface; route it to SLF4J so it lands in the worker's log.
    JSch.setLogger(new Slf4jLogger());
  }

  private final Session session;
  private final ChannelSftp channel;
  private final String endpoint;

  private SftpSession(Session session, ChannelSftp channel, String endpoint) {
    this.session = session;
    this.channel = channel;
    this.endpoint = endpoint;
  }

  /** A file in the input directory as listed by the server. mtime is in seconds (SFTP v3). */
  static final class RemoteFile {
    final String path;
    final String name;
    final long size;
    final long mtimeSeconds;

    RemoteFile(String path, String name, long size, long mtimeSeconds) {
      this.path = path;
      this.name = name;
      this.size = size;
      this.mtimeSeconds = mtimeSeconds;
    }

    @Override
    public String toString() {
      return path + " (" + size + " bytes, mtime " + mtimeSeconds + ")";
    }
  }

  static SftpSession open(SftpSourceConfig config) {
    String endpoint = config.host() + ":" + config.port();
    JSch jsch = new JSch();
    Session session = null;
    try {
      if (config.privateKey() != null) {
        byte[] passphrase = config.privateKeyPassphrase() == null
            ? null
            : config.privateKeyPassphrase().value().getBytes(StandardCharsets.UTF_8);
        jsch.addIdentity("sftp.private.key", config.privateKey().value().getBytes(StandardCharsets.UTF_8),
            null, passphrase);
      }
      if (!config.knownHosts().isEmpty()) {
        jsch.setKnownHosts(new ByteArrayInputStream(config.knownHosts().getBytes(StandardCharsets.UTF_8)));
      }
      if (!config.hostKeyFingerprints().isEmpty()) {
        jsch.setHostKeyRepository(
            new FingerprintHostKeyRepository(config.hostKeyFingerprints(), jsch.getHostKeyRepository()));
      }
      session = jsch.getSession(config.username(), config.host(), config.port());
      if (config.password() != null) {
        session.setPassword(config.password().value());
      }
      if (config.strictHostKeyChecking()) {
        session.setConfig("StrictHostKeyChecking", "yes");
      } else {
        LOG.warn("Host key checking is OFF for SFTP server {} ({}=false): the connection can be intercepted. "
            + "Never use this outside a throw-away test environment.", endpoint,
            SftpSourceConfig.SFTP_STRICT_HOST_KEY_CHECKING);
        session.setConfig("StrictHostKeyChecking", "no");
      }
      // Only the methods we can answer without a prompt; avoids long keyboard-interactive stalls.
      session.setConfig("PreferredAuthentications",
          config.privateKey() != null && config.password() != null ? "publickey,password"
              : config.privateKey() != null ? "publickey" : "password");
      session.setServerAliveInterval(30_000);
      session.setServerAliveCountMax(3);
      session.connect(config.connectTimeoutMs());
      ChannelSftp channel = (ChannelSftp) session.openChannel("sftp");
      channel.connect(config.connectTimeoutMs());
      LOG.info("Connected to SFTP server {} as user '{}'", endpoint, config.username());
      return new SftpSession(session, channel, endpoint);
    } catch (JSchException e) {
      if (session != null) {
        session.disconnect();
      }
      throw translateConnectFailure(e, config, endpoint);
    }
  }

  private static RuntimeException translateConnectFailure(JSchException e, SftpSourceConfig config,
      String endpoint) {
    String message = String.valueOf(e.getMessage());
    if (e instanceof JSchHostKeyException || message.contains("HostKey")) {
      return new org.apache.kafka.connect.errors.ConnectException("The host key of SFTP server " + endpoint
          + " is not trusted (" + message + "). Check " + SftpSourceConfig.SFTP_HOST_KEY_FINGERPRINT + " / "
          + SftpSourceConfig.SFTP_KNOWN_HOSTS + " against the server's real key, e.g. `ssh-keyscan -p "
          + config.port() + " " + config.host() + " | ssh-keygen -lf -`. A changed key can also mean the "
          + "connection is being intercepted.", e);
    }
    if (message.startsWith("Auth")) {
      return new org.apache.kafka.connect.errors.ConnectException("SFTP login to " + endpoint + " as user '"
          + config.username() + "' was rejected (" + message + "). Check " + SftpSourceConfig.SFTP_USERNAME
          + " and " + (config.privateKey() != null ? SftpSourceConfig.SFTP_PRIVATE_KEY : SftpSourceConfig.SFTP_PASSWORD)
          + " (the value the config provider resolves, e.g. the Secrets Manager secret), and that the user "
          + "may log in over SFTP.", e);
    }
    Throwable cause = e.getCause();
    String hint;
    if (cause instanceof UnknownHostException) {
      hint = "the host name does not resolve: check " + SftpSourceConfig.SFTP_HOST + " and DNS";
    } else if (cause instanceof ConnectException || cause instanceof NoRouteToHostException) {
      hint = "nothing accepts connections there: check " + SftpSourceConfig.SFTP_HOST + ", "
          + SftpSourceConfig.SFTP_PORT + ", that the SFTP server runs, and that security groups / "
          + "network ACLs / routes let the connector reach it";
    } else if (cause instanceof SocketTimeoutException || message.contains("timeout")) {
      hint = "the connection timed out: check that security groups / network ACLs / routes let the connector "
          + "reach it, or raise " + SftpSourceConfig.SFTP_CONNECT_TIMEOUT_MS;
    } else {
      hint = "check " + SftpSourceConfig.SFTP_HOST + ", " + SftpSourceConfig.SFTP_PORT
          + " and that the server speaks SSH/SFTP";
    }
    return new RetriableException("Cannot connect to SFTP server " + endpoint + " (" + message + "): "
        + hint + ". Will retry.", e);
  }

  String endpoint() {
    return endpoint;
  }

  boolean isConnected() {
    return session.isConnected() && channel.isConnected();
  }

  /** Regular files directly inside dir (not recursive). */
  List<RemoteFile> listFiles(String dir) throws SftpException {
    List<RemoteFile> files = new ArrayList<>();
    for (ChannelSftp.LsEntry entry : channel.ls(dir)) {
      SftpATTRS attrs = entry.getAttrs();
      String name = entry.getFilename();
      if (attrs.isReg() && !".".equals(name) && !"..".equals(name)) {
        files.add(new RemoteFile(dir + "/" + name, name, attrs.getSize(), attrs.getMTime() & 0xFFFFFFFFL));
      }
    }
    return files;
  }

  /** Stream of the file's bytes starting at the given byte offset. */
  InputStream openAt(String path, long offset) throws SftpException {
    return channel.get(path, null, offset);
  }

  boolean exists(String path) throws SftpException {
    try {
      channel.stat(path);
      return true;
    } catch (SftpException e) {
      if (e.id == ChannelSftp.SSH_FX_NO_SUCH_FILE) {
        return false;
      }
      throw e;
    }
  }

  /** Creates dir and its missing parents. */
  void mkdirs(String dir) throws SftpException {
    StringBuilder current = new StringBuilder();
    for (String part : dir.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      current.append('/').append(part);
      String path = current.toString();
      if (!exists(path)) {
        try {
          channel.mkdir(path);
        } catch (SftpException e) {
          // Another task may have created it in the meantime.
          if (!exists(path)) {
            throw e;
          }
        }
      }
    }
  }

  void rename(String from, String to) throws SftpException {
    channel.rename(from, to);
  }

  void delete(String path) throws SftpException {
    channel.rm(path);
  }

  @Override
  public void close() {
    channel.disconnect();
    session.disconnect();
  }
}
