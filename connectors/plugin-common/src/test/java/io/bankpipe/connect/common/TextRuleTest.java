package io.bankpipe.connect.common;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TextRuleTest {
  private static final TextRule ABSOLUTE =
      TextRule.of("absolute path", text -> text.startsWith("/") ? null : "Must start with '/'.");

  @Test
  void passesAValueTheCheckAccepts() {
    assertDoesNotThrow(() -> ABSOLUTE.ensureValid("input.dir", "/upload"));
  }

  @Test
  void failsWithTheKeyTheValueAndTheCheckMessage() {
    ConfigException e = assertThrows(ConfigException.class, () -> ABSOLUTE.ensureValid("input.dir", "upload"));
    assertEquals("Invalid value upload for configuration input.dir: Must start with '/'.", e.getMessage());
  }

  @Test
  void checksAnUnsetValueAsEmptyText() {
    assertThrows(ConfigException.class, () -> ABSOLUTE.ensureValid("input.dir", null));
  }

  @Test
  void describesItselfForConnect() {
    assertEquals("absolute path", ABSOLUTE.toString());
  }
}
