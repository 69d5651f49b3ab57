package io.bankpipe.connect.sftp;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Trusts a server whose host key has one of the given SHA-256 fingerprints (the form `ssh-keygen -lf`
 * prints), or that the wrapped known_hosts repository trusts. A fingerprint is easier to hand over
 * in a deployment parameter than a known_hosts line and just as strict.
 */
final class FingerprintHostKeyRepository implements HostKeyRepository {
  private final List<String> trustedFingerprints;
  private final HostKeyRepository knownHosts;

  FingerprintHostKeyRepository(List<String> trustedFingerprints, HostKeyRepository knownHosts) {
    this.trustedFingerprints = List.copyOf(trustedFingerprints);
    this.knownHosts = knownHosts;
  }

  /** SHA256:<base64 without padding> of the SSH public key blob, as OpenSSH prints it. */
  static String sha256Fingerprint(byte[] keyBlob) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyBlob);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }

  @Override
  public int check(String host, byte[] key) {
    if (trustedFingerprints.contains(sha256Fingerprint(key))) {
      return OK;
    }
    if (knownHosts != null && knownHosts.check(host, key) == OK) {
      return OK;
    }
    // NOT_INCLUDED (rather than CHANGED) so JSch reports the fingerprint it saw in its message.
    return NOT_INCLUDED;
  }

  @Override
  public void add(HostKey hostkey, UserInfo ui) {
    // Trust is configuration, never learned at run time.
  }

  @Override
  public void remove(String host, String type) {}

  @Override
  public void remove(String host, String type, byte[] key) {}

  @Override
  public String getKnownHostsRepositoryID() {
    return "sftp.host.key.fingerprint";
  }

  @Override
  public HostKey[] getHostKey() {
    return knownHosts == null ? new HostKey[0] : knownHosts.getHostKey();
  }

  @Override
  public HostKey[] getHostKey(String host, String type) {
    return knownHosts == null ? new HostKey[0] : knownHosts.getHostKey(host, type);
  }
}
