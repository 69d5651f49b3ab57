package io.bankpipe.connect.sftp;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;

/** A real SFTP server (Apache MINA SSHD) on 127.0.0.1 with a random port, serving a temp directory. */
final class TestSftpServer implements AutoCloseable {
  static final String USER = "loader";
  static final String PASSWORD = "correct-horse-battery";

  private final SshServer server;
  final Path root;
  final String hostKeyFingerprint;
  private final String publicKeyEntry;

  private TestSftpServer(SshServer server, Path root, String hostKeyFingerprint, String publicKeyEntry) {
    this.server = server;
    this.root = root;
    this.hostKeyFingerprint = hostKeyFingerprint;
    this.publicKeyEntry = publicKeyEntry;
  }

  static TestSftpServer start(Path root, Path hostKeyFile) throws IOException, GeneralSecurityException {
    SshServer server = SshServer.setUpDefaultServer();
    server.setHost("127.0.0.1");
    server.setPort(0);
    SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(hostKeyFile);
    server.setKeyPairProvider(keys);
    server.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
    server.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
    server.setFileSystemFactory(new VirtualFileSystemFactory(root));
    server.start();
    KeyPair hostKey = keys.loadKeys(null).iterator().next();
    String fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, hostKey.getPublic());
    return new TestSftpServer(server, root, fingerprint, PublicKeyEntry.toString(hostKey.getPublic()));
  }

  /** The line `ssh-keyscan -p PORT 127.0.0.1` would print. */
  String knownHostsLine() {
    return "[127.0.0.1]:" + port() + " " + publicKeyEntry;
  }

  int port() {
    return server.getPort();
  }

  @Override
  public void close() throws IOException {
    server.stop(true);
  }
}
