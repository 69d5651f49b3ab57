package io.bankpipe.connect.common;

import org.apache.kafka.common.config.types.Password;

/** Password settings, where an empty value means the same as no value. */
public final class Passwords {
  private Passwords() {}

  /** Null when the setting is unset or empty, so callers test one case only. */
  public static Password nonEmpty(Password password) {
    return password == null || password.value() == null || password.value().isEmpty() ? null : password;
  }
}
