package io.bankpipe.connect.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PluginVersionTest {
  @Test
  void readsTheVersionPropertyOfTheResource() {
    assertEquals("1.2.3", PluginVersion.read(PluginVersionTest.class, "/plugin-common-test-version.properties"));
  }

  @Test
  void aMissingResourceGivesUnknownInsteadOfFailing() {
    assertEquals(PluginVersion.UNKNOWN, PluginVersion.read(PluginVersionTest.class, "/no-such-version.properties"));
  }
}
