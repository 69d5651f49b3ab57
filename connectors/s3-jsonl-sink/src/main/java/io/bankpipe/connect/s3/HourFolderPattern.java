package io.bankpipe.connect.s3;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw zone's hour folder as a pattern with named fields, e.g.
 * {@code year={year:4}/month={month:2}/day={day:2}/hour={hour:2}/}: {@code {name:N}} is the UTC field
 * zero-padded to N digits. The connector is given the pattern by its configuration (rendered from the
 * pipeline's layout file), so the folder layout is defined in one place for the sink and its readers.
 */
final class HourFolderPattern {
  private static final Pattern FIELD = Pattern.compile("\\{([a-zA-Z]+)(?::([1-9]))?}");
  private static final Pattern SHAPE =
      Pattern.compile("([A-Za-z0-9_.=-]|\\{[a-zA-Z]+(:[1-9])?})+(/([A-Za-z0-9_.=-]|\\{[a-zA-Z]+(:[1-9])?})+)*/");
  private static final List<String> FIELDS = List.of("year", "month", "day", "hour");

  private final List<String> literals = new ArrayList<>();
  private final List<String> fields = new ArrayList<>();
  private final List<Integer> digits = new ArrayList<>();

  private HourFolderPattern() {}

  /**
   * Parses a pattern; the message of an {@link IllegalArgumentException} says what is wrong with it.
   * The fields must be year, month, day and hour, in this order, each with a digit count.
   */
  static HourFolderPattern parse(String pattern) {
    if (pattern == null || !SHAPE.matcher(pattern).matches()) {
      throw new IllegalArgumentException("must be a folder pattern like 'year={year:4}/month={month:2}/"
          + "day={day:2}/hour={hour:2}/' (fields in braces, no leading '/', one trailing '/')");
    }
    HourFolderPattern parsed = new HourFolderPattern();
    Matcher m = FIELD.matcher(pattern);
    int last = 0;
    while (m.find()) {
      if (m.group(2) == null) {
        throw new IllegalArgumentException("field {" + m.group(1) + "} needs a digit count, e.g. {"
            + m.group(1) + ":2}");
      }
      parsed.literals.add(pattern.substring(last, m.start()));
      parsed.fields.add(m.group(1));
      parsed.digits.add(Integer.parseInt(m.group(2)));
      last = m.end();
    }
    parsed.literals.add(pattern.substring(last));
    if (!parsed.fields.equals(FIELDS)) {
      throw new IllegalArgumentException("must have the fields {year}, {month}, {day}, {hour} in this order, has "
          + parsed.fields);
    }
    return parsed;
  }

  /** The folder (ending with '/') of the UTC hour that contains {@code epochMs}. */
  String format(long epochMs) {
    ZonedDateTime t = Instant.ofEpochMilli(epochMs).atZone(ZoneOffset.UTC);
    int[] values = {t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour()};
    StringBuilder folder = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      folder.append(literals.get(i)).append(String.format("%0" + digits.get(i) + "d", values[i]));
    }
    return folder.append(literals.get(values.length)).toString();
  }
}
