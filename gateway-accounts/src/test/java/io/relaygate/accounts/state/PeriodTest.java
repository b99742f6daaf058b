package io.relaygate.accounts.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PeriodTest {

    @Test
    void aBucketEndsWhereTheCalendarSaysOnAndAroundEveryBoundary() {
        List<Instant> ats = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(21);
        for (int i = 0; i < 20_000; i++) {
            // 1900 to 2200, before the epoch too
            ats.add(Instant.ofEpochSecond(
                    random.nextLong(-2_208_988_800L, 7_258_118_400L), random.nextInt(1_000_000_000)));
        }
        for (String day : List.of("1970-01-01", "1969-12-29", "2026-12-07", "2026-12-13", "2024-02-29", "2027-01-04")) {
            Instant midnight = LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
            ats.add(midnight);
            ats.add(midnight.minusNanos(1));
            ats.add(midnight.plusNanos(1));
            ats.add(midnight.plusSeconds(3_599));
        }
        for (Instant at : ats) {
            ZonedDateTime t = at.atZone(ZoneOffset.UTC);
            assertThat(Period.HOUR.end(at))
                    .as("hour of %s", at)
                    .isEqualTo(t.truncatedTo(ChronoUnit.HOURS).plusHours(1).toInstant());
            assertThat(Period.DAY.end(at))
                    .as("day of %s", at)
                    .isEqualTo(t.toLocalDate()
                            .plusDays(1)
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant());
            assertThat(Period.WEEK.end(at))
                    .as("ISO week of %s: the next Monday", at)
                    .isEqualTo(t.toLocalDate()
                            .with(TemporalAdjusters.next(DayOfWeek.MONDAY))
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant());
        }
        assertThat(Period.TOTAL.end(Instant.EPOCH)).isEqualTo(Instant.MAX);
    }
}
