package io.relaygate.server.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * When a rate-limited account may be used again, from the headers of its 429:
 *
 * <ol>
 *   <li>{@code retry-after-ms}, then {@code retry-after} (seconds or an HTTP date): the upstream's own advice;
 *   <li>else the latest reset among the exhausted limits: Anthropic's {@code anthropic-ratelimit-<limit>-reset}
 *       (RFC 3339) where {@code -remaining} is 0, its subscription {@code anthropic-ratelimit-unified-reset} (epoch
 *       seconds), OpenAI's {@code x-ratelimit-reset-<limit>} (durations like {@code 6m0s}) where
 *       {@code x-ratelimit-remaining-<limit>} is 0.
 * </ol>
 *
 * Null when none is there or readable; the caller then uses its configured cool-down. Resets beyond
 * {@link #MAX_AHEAD} are capped there.
 */
public final class RateLimitReset {

    static final Duration MAX_AHEAD = Duration.ofDays(7);

    private static final String[] ANTHROPIC_LIMITS = {"requests", "tokens", "input-tokens", "output-tokens"};
    private static final String[] OPENAI_LIMITS = {"requests", "tokens"};
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

    private RateLimitReset() {}

    public static @Nullable Instant of(HttpHeaders h, Instant now) {
        Instant advised = retryAfter(h, now);
        if (advised != null) {
            return cap(advised, now);
        }
        Instant latest = null;
        for (String limit : ANTHROPIC_LIMITS) {
            if ("0".equals(trim(h.get("anthropic-ratelimit-" + limit + "-remaining")))) {
                latest = later(latest, rfc3339(h.get("anthropic-ratelimit-" + limit + "-reset")));
            }
        }
        String unified = trim(h.get("anthropic-ratelimit-unified-reset"));
        if (unified != null) {
            try {
                latest = later(latest, Instant.ofEpochSecond(Long.parseLong(unified)));
            } catch (NumberFormatException ignored) {
                // unreadable: left out
            }
        }
        for (String limit : OPENAI_LIMITS) {
            if ("0".equals(trim(h.get("x-ratelimit-remaining-" + limit)))) {
                Duration d = goDuration(h.get("x-ratelimit-reset-" + limit));
                latest = later(latest, d == null ? null : now.plus(d));
            }
        }
        return latest == null || !latest.isAfter(now) ? null : cap(latest, now);
    }

    private static @Nullable Instant retryAfter(HttpHeaders h, Instant now) {
        String ms = trim(h.get("retry-after-ms"));
        if (ms != null) {
            try {
                return now.plusMillis((long) Math.ceil(Double.parseDouble(ms)));
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        String v = trim(h.get("retry-after"));
        if (v == null) {
            return null;
        }
        try {
            return now.plusMillis((long) Math.ceil(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            try {
                return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** An RFC 3339 instant such as Anthropic's {@code 2026-03-04T10:16:00Z}; null when absent or unreadable. */
    static @Nullable Instant rfc3339(@Nullable String v) {
        String t = trim(v);
        if (t == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code 1s}, {@code 6m0s}, {@code 2m59.56s}, {@code 120ms}, {@code 1h30m}. */
    static @Nullable Duration goDuration(@Nullable String v) {
        String t = trim(v);
        if (t == null) {
            return null;
        }
        Matcher m = GO_DURATION.matcher(t.toLowerCase(Locale.ROOT));
        double millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            end = m.end();
            double n = Double.parseDouble(m.group(1));
            switch (m.group(2)) {
                case "h":
                    millis += n * 3_600_000;
                    break;
                case "m":
                    millis += n * 60_000;
                    break;
                case "s":
                    millis += n * 1000;
                    break;
                default:
                    millis += n;
                    break;
            }
        }
        return end == 0 || end != t.length() ? null : Duration.ofMillis((long) Math.ceil(millis));
    }

    private static @Nullable Instant later(@Nullable Instant a, @Nullable Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static Instant cap(Instant t, Instant now) {
        Instant max = now.plus(MAX_AHEAD);
        return t.isAfter(max) ? max : t;
    }

    private static @Nullable String trim(@Nullable String v) {
        if (v == null) {
            return null;
        }
        String t = v.trim();
        return t.isEmpty() ? null : t;
    }
}
