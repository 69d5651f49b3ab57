package io.bankpipe.connect.common;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * A ConfigDef validator for a text setting, made of a check and the short description Connect shows
 * beside the key (REST validate, generated docs).
 */
public final class TextRule implements ConfigDef.Validator {
  /** What is wrong with a value, as a sentence that says how to fix it, or null when the value is fine. */
  @FunctionalInterface
  public interface Check {
    /** {@code text} is the value as given ("" when unset); a check that ignores outer spaces trims it. */
    String problem(String text);
  }

  private final String description;
  private final Check check;

  private TextRule(String description, Check check) {
    this.description = description;
    this.check = check;
  }

  public static TextRule of(String description, Check check) {
    return new TextRule(description, check);
  }

  @Override
  public void ensureValid(String name, Object value) {
    String problem = check.problem(value == null ? "" : value.toString());
    if (problem != null) {
      throw new ConfigException(name, value, problem);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
