package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rate-limit headers of the mock's Anthropic and OpenAI answers, and how a test sets them per mock or request. */
class MockRateLimitTest {

    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static MockUpstream plain;
    private static MockUpstream busy;

    @BeforeAll
    static void start() {
        plain = MockUpstream.start(MockOptions.defaults());
        busy = MockUpstream.start(MockOptions.defaults()
                .withRateLimit("ratelimit-unified-5h-utilization", "0.95")
                .withRateLimit("ratelimit-requests-remaining", "500")
                .withRateLimit("ratelimit-remaining-requests", "3"));
    }

    @AfterAll
    static void stop() {
        plain.close();
        busy.close();
    }

    private static HttpHeaders post(MockUpstream mock, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers();
    }

    private static String messages(boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private static String header(HttpHeaders h, String name) {
        return h.firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " in " + h.map()));
    }

    @Test
    void anthropicAnswersCarryTheApisRequestAndTokenLimits() throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            HttpHeaders h = post(plain, "/v1/messages", messages(stream), "x-api-key", "sk-ant-api-key");

            for (String limit : new String[] {"requests", "tokens", "input-tokens", "output-tokens"}) {
                String base = "anthropic-ratelimit-" + limit;
                assertThat(Long.parseLong(header(h, base + "-limit"))).isPositive();
                assertThat(Long.parseLong(header(h, base + "-remaining"))).isNotNegative();
                assertThat(Instant.parse(header(h, base + "-reset")))
                        .isAfter(Instant.now().minusSeconds(2));
            }
            assertThat(header(h, "anthropic-ratelimit-requests-remaining"))
                    .isEqualTo(String.valueOf(RateLimitHeaders.REQUEST_LIMIT - 1));
            assertThat(h.firstValue("anthropic-ratelimit-unified-5h-utilization"))
                    .as("an API key is not a subscription")
                    .isEmpty();
            assertThat(h.firstValue("x-ratelimit-limit-requests")).isEmpty();
        }
    }

    @Test
    void aSubscriptionTokenGetsTheUnifiedWindows() throws Exception {
        HttpHeaders h = post(
                plain,
                "/v1/messages",
                messages(false),
                "authorization",
                "Bearer sk-ant-oat01-abc",
                "anthropic-beta",
                "oauth-2025-04-20");

        assertThat(header(h, "anthropic-ratelimit-unified-status")).isEqualTo("allowed");
        assertThat(header(h, "anthropic-ratelimit-unified-5h-utilization"))
                .isEqualTo(RateLimitHeaders.UNIFIED_5H_UTILIZATION);
        assertThat(header(h, "anthropic-ratelimit-unified-7d-utilization"))
                .isEqualTo(RateLimitHeaders.UNIFIED_7D_UTILIZATION);
        long fiveHours = Long.parseLong(header(h, "anthropic-ratelimit-unified-5h-reset"));
        assertThat(Instant.ofEpochSecond(fiveHours))
                .as("epoch seconds, about five hours ahead")
                .isBetween(
                        Instant.now().plus(Duration.ofHours(5)).minusSeconds(60),
                        Instant.now().plus(Duration.ofHours(5)));
        assertThat(Long.parseLong(header(h, "anthropic-ratelimit-unified-7d-reset")))
                .isGreaterThan(fiveHours);
        assertThat(header(h, "anthropic-ratelimit-unified-representative-claim"))
                .isEqualTo("five_hour");
    }

    @Test
    void aRequestSetsSingleValuesAndAsksForTheUnifiedWindows() throws Exception {
        HttpHeaders h = post(
                plain,
                "/v1/messages",
                messages(true),
                "x-api-key",
                "sk-ant-api-key",
                "x-mock-unified",
                "1",
                "x-mock-ratelimit-unified-5h-utilization",
                "0.9",
                "x-mock-ratelimit-requests-remaining",
                "7");

        assertThat(header(h, "anthropic-ratelimit-unified-5h-utilization")).isEqualTo("0.9");
        assertThat(header(h, "anthropic-ratelimit-requests-remaining")).isEqualTo("7");
        assertThat(header(h, "anthropic-ratelimit-unified-7d-utilization"))
                .isEqualTo(RateLimitHeaders.UNIFIED_7D_UTILIZATION);
    }

    @Test
    void aMocksOwnValuesApplyToEveryAnswerAndARequestStillWins() throws Exception {
        HttpHeaders h = post(busy, "/v1/messages", messages(false), "x-api-key", "sk-ant-api-key");
        assertThat(header(h, "anthropic-ratelimit-unified-5h-utilization"))
                .as("a unified value makes the mock's Anthropic answers subscription answers")
                .isEqualTo("0.95");
        assertThat(header(h, "anthropic-ratelimit-requests-remaining")).isEqualTo("500");
        assertThat(h.firstValue("anthropic-ratelimit-remaining-requests"))
                .as("OpenAI's names stay on OpenAI's answers")
                .isEmpty();

        HttpHeaders chat = post(
                busy,
                "/v1/chat/completions",
                "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization",
                "Bearer sk-openai");
        assertThat(header(chat, "x-ratelimit-remaining-requests")).isEqualTo("3");
        assertThat(chat.firstValue("x-ratelimit-unified-5h-utilization")).isEmpty();

        HttpHeaders overridden = post(
                busy,
                "/v1/messages",
                messages(false),
                "x-api-key",
                "k",
                "x-mock-ratelimit-unified-5h-utilization",
                "0.5");
        assertThat(header(overridden, "anthropic-ratelimit-unified-5h-utilization"))
                .isEqualTo("0.5");
    }

    @Test
    void aMocksValueMustBeNamedWithoutItsVendorPrefix() {
        assertThatThrownBy(() -> MockOptions.defaults().withRateLimit("anthropic-ratelimit-requests-remaining", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rateLimits: anthropic-ratelimit-requests-remaining (expected: a header name");
    }
}
