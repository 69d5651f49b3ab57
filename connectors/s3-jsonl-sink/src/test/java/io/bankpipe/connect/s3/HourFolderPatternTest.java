package io.bankpipe.connect.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bankpipe.connect.common.PipelineLayout;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HourFolderPatternTest {
  static final long T = Instant.parse("2024-05-01T09:59:59.999Z").toEpochMilli();

  @Test
  void fillsEachFieldZeroPaddedInUtc() {
    assertEquals("year=2024/month=05/day=01/hour=09/",
        HourFolderPattern.parse("year={year:4}/month={month:2}/day={day:2}/hour={hour:2}/").format(T));
    assertEquals("dt=2024-05-01/h=9/", HourFolderPattern.parse("dt={year:4}-{month:2}-{day:2}/h={hour:1}/").format(T));
  }

  @Test
  void theLayoutFilesPatternGivesTheFolderItsReadersExpect() {
    assertEquals(PipelineLayout.hourFolder(2024, 5, 1, 9),
        HourFolderPattern.parse(PipelineLayout.HOUR_FOLDER_PATTERN).format(T));
  }

  @Test
  void refusesPatternsThatCannotNameAnHour() {
    String noHour = assertThrows(IllegalArgumentException.class,
        () -> HourFolderPattern.parse("year={year:4}/month={month:2}/day={day:2}/")).getMessage();
    assertTrue(noHour.contains("{year}, {month}, {day}, {hour}"), noHour);
    String noDigits = assertThrows(IllegalArgumentException.class,
        () -> HourFolderPattern.parse("year={year}/month={month:2}/day={day:2}/hour={hour:2}/")).getMessage();
    assertTrue(noDigits.contains("{year:2}"), noDigits);
    assertThrows(IllegalArgumentException.class,
        () -> HourFolderPattern.parse("year={year:4}/month={month:2}/day={day:2}/hour={hour:2}"));
  }
}
