package io.relaygate.accounts.state;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.Locale;

/** The buckets usage is counted in, all in UTC. Weeks are ISO weeks (Monday to Sunday). */
public enum Period {
    HOUR,
    DAY,
    WEEK,
    TOTAL;

    /** The bucket names of one UTC hour, reused while requests keep falling in it (the hot path asks per request). */
    private record HourBuckets(long epochHour, String hour, String day, String week) {}

    private static volatile HourBuckets recent = new HourBuckets(Long.MIN_VALUE, "", "", "");

    /** The bucket holding {@code at}: {@code 2026-11-30T17}, {@code 2026-11-30}, {@code 2026-W49} or {@code total}. */
    public String bucket(Instant at) {
        if (this == TOTAL) {
            return "total";
        }
        long epochHour = Math.floorDiv(at.getEpochSecond(), 3600);
        HourBuckets b = recent;
        if (b.epochHour != epochHour) {
            b = new HourBuckets(epochHour, HOUR.format(at), DAY.format(at), WEEK.format(at));
            recent = b;
        }
        return this == HOUR ? b.hour : this == DAY ? b.day : b.week;
    }

    private String format(Instant at) {
        ZonedDateTime t = at.atZone(ZoneOffset.UTC);
        switch (this) {
            case HOUR:
                return String.format(Locale.ROOT, "%sT%02d", t.toLocalDate(), t.getHour());
            case DAY:
                return t.toLocalDate().toString();
            case WEEK:
                return String.format(
                        Locale.ROOT,
                        "%d-W%02d",
                        t.get(IsoFields.WEEK_BASED_YEAR),
                        t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            default:
                return "total";
        }
    }

    /** When the bucket holding {@code at} ends; {@link Instant#MAX} for {@link #TOTAL}. */
    public Instant end(Instant at) {
        // in seconds since the epoch, UTC having no offset changes: asked per request, and Instant.atZone makes new
        // zone rules each time
        long second = at.getEpochSecond();
        switch (this) {
            case HOUR:
                return Instant.ofEpochSecond((Math.floorDiv(second, 3_600L) + 1) * 3_600L);
            case DAY:
                return Instant.ofEpochSecond((Math.floorDiv(second, 86_400L) + 1) * 86_400L);
            case WEEK:
                // the epoch's day 0, 1970-01-01, was a Thursday: 3 days after a Monday
                long day = Math.floorDiv(second, 86_400L);
                return Instant.ofEpochSecond((day - Math.floorMod(day + 3, 7) + 7) * 86_400L);
            default:
                return Instant.MAX;
        }
    }

    /** How long a bucket is kept after it ends (hours for two days, days for a year and a bit); 0: for ever. */
    long retentionMillis() {
        switch (this) {
            case HOUR:
                return 49L * 3_600_000L;
            case DAY:
                return 400L * 86_400_000L;
            case WEEK:
                return 800L * 86_400_000L;
            default:
                return 0;
        }
    }
}
