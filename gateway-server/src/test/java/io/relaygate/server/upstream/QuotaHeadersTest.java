package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.relaygate.accounts.state.AccountQuota;
import io.relaygate.accounts.state.AccountQuota.Use;
import io.relaygate.accounts.state.AccountQuota.Window;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuotaHeadersTest {

    private static final Instant NOW = Instant.parse("2025-08-21T12:40:58.500Z");

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    private static AccountQuota parse(String... nameValues) {
        AccountQuota q = QuotaHeaders.parse(headers(nameValues), NOW);
        assertThat(q).as("a quota was read").isNotNull();
        assertThat(q.observedAt()).isEqualTo(NOW);
        return q;
    }

    private static double used(AccountQuota q, Window w) {
        assertThat(q.windows()).containsKey(w);
        return q.windows().get(w).used();
    }

    @Test
    void anthropicApiLimitsBecomeUsedFractionsWithTheirResetInstants() {
        // as api.anthropic.com answers a Messages request (values of a real answer)
        AccountQuota q = parse(
                "anthropic-ratelimit-requests-limit", "1000",
                "anthropic-ratelimit-requests-remaining", "999",
                "anthropic-ratelimit-requests-reset", "2025-08-21T12:40:59Z",
                "anthropic-ratelimit-tokens-limit", "96000",
                "anthropic-ratelimit-tokens-remaining", "72000",
                "anthropic-ratelimit-tokens-reset", "2025-08-21T12:41:10Z",
                "anthropic-ratelimit-input-tokens-limit", "80000",
                "anthropic-ratelimit-input-tokens-remaining", "80000",
                "anthropic-ratelimit-input-tokens-reset", "2025-08-21T12:40:59Z",
                "anthropic-ratelimit-output-tokens-limit", "16000",
                "anthropic-ratelimit-output-tokens-remaining", "4000",
                "anthropic-ratelimit-output-tokens-reset", "2025-08-21T12:41:00Z",
                "request-id", "req_011CSLsW7mFqvHHnzrKdKjAE");

        assertThat(q.windows())
                .containsOnlyKeys(Window.REQUESTS, Window.TOKENS, Window.INPUT_TOKENS, Window.OUTPUT_TOKENS);
        assertThat(used(q, Window.REQUESTS)).isCloseTo(0.001, offset(1e-9));
        assertThat(used(q, Window.TOKENS)).isCloseTo(0.25, offset(1e-9));
        assertThat(used(q, Window.INPUT_TOKENS)).isZero();
        assertThat(q.windows().get(Window.OUTPUT_TOKENS))
                .isEqualTo(Use.of(0.75, Instant.parse("2025-08-21T12:41:00Z")));
        assertThat(q.headroom(NOW)).isCloseTo(0.25, offset(1e-9));
    }

    @Test
    void aSubscriptionsUnifiedWindowsAreFractionsWithEpochSecondResets() {
        long fiveHours = NOW.plus(Duration.ofHours(3)).getEpochSecond();
        long week = NOW.plus(Duration.ofDays(4)).getEpochSecond();
        AccountQuota q = parse(
                "anthropic-ratelimit-unified-status", "allowed",
                "anthropic-ratelimit-unified-5h-status", "allowed",
                "anthropic-ratelimit-unified-5h-utilization", "0.42",
                "anthropic-ratelimit-unified-5h-reset", String.valueOf(fiveHours),
                "anthropic-ratelimit-unified-7d-status", "allowed_warning",
                "anthropic-ratelimit-unified-7d-utilization", "0.81",
                "anthropic-ratelimit-unified-7d-reset", String.valueOf(week),
                "anthropic-ratelimit-unified-representative-claim", "five_hour",
                "anthropic-ratelimit-unified-reset", String.valueOf(fiveHours),
                "anthropic-ratelimit-unified-fallback-percentage", "0.5");

        assertThat(q.windows())
                .containsOnly(
                        java.util.Map.entry(Window.UNIFIED_5H, Use.of(0.42, Instant.ofEpochSecond(fiveHours))),
                        java.util.Map.entry(Window.UNIFIED_7D, Use.of(0.81, Instant.ofEpochSecond(week))));
        assertThat(q.headroom(NOW)).isCloseTo(0.19, offset(1e-9));
    }

    @Test
    void aRejectedWindowCountsAsSpent() {
        long week = NOW.plus(Duration.ofDays(2)).getEpochSecond();
        AccountQuota byWindow = parse(
                "anthropic-ratelimit-unified-5h-status",
                "rejected",
                "anthropic-ratelimit-unified-5h-reset",
                String.valueOf(NOW.plusSeconds(600).getEpochSecond()));
        AccountQuota byClaim = parse(
                "anthropic-ratelimit-unified-status", "rejected",
                "anthropic-ratelimit-unified-representative-claim", "seven_day",
                "anthropic-ratelimit-unified-reset", String.valueOf(week),
                "anthropic-ratelimit-unified-7d-utilization", "0.97",
                "anthropic-ratelimit-unified-7d-reset", String.valueOf(week));

        assertThat(used(byWindow, Window.UNIFIED_5H)).isEqualTo(1);
        assertThat(byWindow.headroom(NOW)).isZero();
        assertThat(byClaim.windows().get(Window.UNIFIED_7D)).isEqualTo(Use.of(1, Instant.ofEpochSecond(week)));
    }

    @Test
    void openAiLimitsHaveDurationResets() {
        AccountQuota q = parse(
                "x-ratelimit-limit-requests", "5000",
                "x-ratelimit-remaining-requests", "4000",
                "x-ratelimit-reset-requests", "6m0s",
                "x-ratelimit-limit-tokens", "160000",
                "x-ratelimit-remaining-tokens", "159976",
                "x-ratelimit-reset-tokens", "9ms");

        assertThat(used(q, Window.REQUESTS)).isCloseTo(0.2, offset(1e-9));
        assertThat(q.windows().get(Window.REQUESTS).resetsAt()).isEqualTo(NOW.plus(Duration.ofMinutes(6)));
        assertThat(q.windows().get(Window.TOKENS).resetsAt()).isEqualTo(NOW.plusMillis(9));
        assertThat(q.headroom(NOW.plusSeconds(1))).isCloseTo(0.8, offset(1e-9));
    }

    @Test
    void codexWindowsArePercentsWithAbsoluteOrRelativeResets() {
        long primaryReset = NOW.plus(Duration.ofHours(2)).getEpochSecond();
        AccountQuota q = parse(
                "x-codex-primary-used-percent", "42.5",
                "x-codex-primary-window-minutes", "300",
                "x-codex-primary-reset-at", String.valueOf(primaryReset),
                "x-codex-primary-reset-after-seconds", "60",
                "x-codex-secondary-used-percent", "13",
                "x-codex-secondary-window-minutes", "10080",
                "x-codex-secondary-reset-after-seconds", "86400");

        assertThat(q.windows().get(Window.CODEX_PRIMARY))
                .as("reset-at wins over reset-after-seconds")
                .isEqualTo(Use.of(0.425, Instant.ofEpochSecond(primaryReset)));
        assertThat(q.windows().get(Window.CODEX_SECONDARY)).isEqualTo(Use.of(0.13, NOW.plus(Duration.ofDays(1))));
    }

    @Test
    void anAnswerWithoutRateLimitHeadersReportsNothingAndUnreadableValuesAreSkipped() {
        assertThat(QuotaHeaders.parse(headers("content-type", "application/json"), NOW))
                .isNull();
        assertThat(QuotaHeaders.parse(
                        headers(
                                "anthropic-ratelimit-requests-limit", "lots",
                                "anthropic-ratelimit-requests-remaining", "5",
                                "anthropic-ratelimit-tokens-limit", "0",
                                "anthropic-ratelimit-tokens-remaining", "0",
                                "anthropic-ratelimit-unified-5h-utilization", "NaN"),
                        NOW))
                .isNull();
        AccountQuota q = parse(
                "anthropic-ratelimit-requests-limit", "50",
                "anthropic-ratelimit-requests-remaining", "10",
                "anthropic-ratelimit-requests-reset", "yesterday-ish");
        assertThat(q.windows().get(Window.REQUESTS))
                .as("a reset that does not parse leaves the window without one")
                .isEqualTo(Use.of(0.8, null));
    }

    @Test
    void bothSpellingsOnOneAnswerKeepTheMoreUsedAndFarResetsAreCapped() {
        // the mock's 429 carries Anthropic's and OpenAI's request headers
        AccountQuota q = parse(
                "anthropic-ratelimit-requests-limit", "50",
                "anthropic-ratelimit-requests-remaining", "0",
                "anthropic-ratelimit-requests-reset", "2025-08-21T12:41:00Z",
                "x-ratelimit-limit-requests", "50",
                "x-ratelimit-remaining-requests", "25",
                "x-ratelimit-reset-requests", "2s",
                "anthropic-ratelimit-unified-7d-utilization", "0.5",
                "anthropic-ratelimit-unified-7d-reset",
                        String.valueOf(NOW.plus(Duration.ofDays(90)).getEpochSecond()));

        assertThat(q.windows().get(Window.REQUESTS)).isEqualTo(Use.of(1, Instant.parse("2025-08-21T12:41:00Z")));
        assertThat(q.windows().get(Window.UNIFIED_7D).resetsAt()).isEqualTo(NOW.plus(RateLimitReset.MAX_AHEAD));
    }
}
