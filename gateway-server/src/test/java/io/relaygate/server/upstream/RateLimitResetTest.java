package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimitResetTest {

    private static final Instant NOW = Instant.parse("2026-02-03T04:05:06Z");

    @Test
    void retryAfterInSecondsOrAsADateWins() {
        HttpHeaders h = new DefaultHttpHeaders()
                .set("retry-after", "17")
                .set("anthropic-ratelimit-requests-remaining", "0")
                .set("anthropic-ratelimit-requests-reset", "2026-02-03T05:00:00Z");
        assertThat(RateLimitReset.of(h, NOW)).isEqualTo(NOW.plusSeconds(17));
        assertThat(RateLimitReset.of(new DefaultHttpHeaders().set("retry-after", "Tue, 03 Feb 2026 04:06:00 GMT"), NOW))
                .isEqualTo(Instant.parse("2026-02-03T04:06:00Z"));
        assertThat(RateLimitReset.of(new DefaultHttpHeaders().set("retry-after-ms", "1500"), NOW))
                .isEqualTo(NOW.plusMillis(1500));
    }

    @Test
    void anthropicResetsCountOnlyForExhaustedLimitsAndTheLatestWins() {
        HttpHeaders h = new DefaultHttpHeaders()
                .set("anthropic-ratelimit-requests-remaining", "0")
                .set("anthropic-ratelimit-requests-reset", "2026-02-03T04:06:00Z")
                .set("anthropic-ratelimit-input-tokens-remaining", "0")
                .set("anthropic-ratelimit-input-tokens-reset", "2026-02-03T04:07:30Z")
                .set("anthropic-ratelimit-output-tokens-remaining", "5000")
                .set("anthropic-ratelimit-output-tokens-reset", "2026-02-03T09:00:00Z");
        assertThat(RateLimitReset.of(h, NOW)).isEqualTo(Instant.parse("2026-02-03T04:07:30Z"));
    }

    @Test
    void subscriptionUnifiedResetIsInEpochSecondsAndCappedAtAWeek() {
        long in5h = NOW.plus(Duration.ofHours(5)).getEpochSecond();
        assertThat(RateLimitReset.of(
                        new DefaultHttpHeaders().set("anthropic-ratelimit-unified-reset", Long.toString(in5h)), NOW))
                .isEqualTo(Instant.ofEpochSecond(in5h));
        long in30d = NOW.plus(Duration.ofDays(30)).getEpochSecond();
        assertThat(RateLimitReset.of(
                        new DefaultHttpHeaders().set("anthropic-ratelimit-unified-reset", Long.toString(in30d)), NOW))
                .isEqualTo(NOW.plus(RateLimitReset.MAX_AHEAD));
    }

    @Test
    void openAiResetDurations() {
        HttpHeaders h = new DefaultHttpHeaders()
                .set("x-ratelimit-remaining-requests", "0")
                .set("x-ratelimit-reset-requests", "6m0s")
                .set("x-ratelimit-remaining-tokens", "0")
                .set("x-ratelimit-reset-tokens", "2m59.56s");
        assertThat(RateLimitReset.of(h, NOW)).isEqualTo(NOW.plus(Duration.ofMinutes(6)));
        assertThat(RateLimitReset.goDuration("120ms")).isEqualTo(Duration.ofMillis(120));
        assertThat(RateLimitReset.goDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(RateLimitReset.goDuration("soon")).isNull();
    }

    @Test
    void nothingReadableMeansTheConfiguredDefault() {
        assertThat(RateLimitReset.of(new DefaultHttpHeaders(), NOW)).isNull();
        assertThat(RateLimitReset.of(new DefaultHttpHeaders().set("retry-after", "later"), NOW))
                .isNull();
        assertThat(RateLimitReset.of(
                        new DefaultHttpHeaders()
                                .set("anthropic-ratelimit-requests-remaining", "3")
                                .set("anthropic-ratelimit-requests-reset", "2026-02-03T05:00:00Z"),
                        NOW))
                .as("a limit with requests left is not the reason for the 429")
                .isNull();
    }
}
