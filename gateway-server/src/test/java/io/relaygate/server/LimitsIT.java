package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.ClientKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-key limits through the real server: each refusal is a 429 in the client's format naming the limit and its
 * reset, and every request's usage and cost land in the counters.
 */
class LimitsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        // a short lease, so the long-stream test proves renewal: without it the slot would free after 3 s
        gw = GatewayHarness.builder()
                .config(c -> c.withScheduling(c.scheduling().withLeaseTtl(Duration.ofSeconds(3))))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void reset() {
        gw.reset();
    }

    static KeyRules rules(
            @Nullable Integer concurrency,
            @Nullable Long requests,
            @Nullable Long tokens,
            @Nullable Double daily,
            @Nullable Double total) {
        return new KeyRules(
                concurrency,
                requests,
                requests == null ? null : Duration.ofMinutes(1),
                tokens,
                tokens == null ? null : Duration.ofHours(1),
                daily,
                null,
                total,
                List.of(),
                List.of(),
                Set.of(),
                null,
                null,
                null);
    }

    private static HttpResponse<byte[]> send(String key, String body) throws Exception {
        return gw.post("/v1/messages", body, "x-api-key", key);
    }

    private static JsonNode rateLimited(HttpResponse<byte[]> r) throws Exception {
        return refused(r, "rate_limit_error");
    }

    private static JsonNode refused(HttpResponse<byte[]> r, String type) throws Exception {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(text).isEqualTo(429);
        JsonNode n = JSON.readTree(r.body());
        assertThat(n.path("type").asText()).isEqualTo("error");
        assertThat(n.path("error").path("type").asText()).isEqualTo(type);
        return n.path("error");
    }

    @Test
    void requestsPerWindowRefuseTheThirdWithTheLimitAndItsReset() throws Exception {
        String key = gw.keyWith(rules(null, 2L, null, null, null));
        assertThat(send(key, messages("claude-sonnet-4-5", false, "one")).statusCode())
                .isEqualTo(200);
        assertThat(send(key, messages("claude-sonnet-4-5", false, "two")).statusCode())
                .isEqualTo(200);

        HttpResponse<byte[]> third = send(key, messages("claude-sonnet-4-5", false, "three"));

        assertThat(rateLimited(third).path("message").asText())
                .startsWith("request limit of this key reached: 2 of 2 requests per 1m; resets at ");
        long retryAfter =
                Long.parseLong(third.headers().firstValue("retry-after").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(gw.mock.exchanges())
                .as("the refused request never reached an upstream")
                .hasSize(2);
        ExchangeOutcome refused = gw.outcomeOf(third);
        assertThat(refused.error()).isEqualTo("rate_limit");
        assertThat(refused.attempts()).isZero();
    }

    @Test
    void anOpenAiClientIsRefusedInOpenAisFormat() throws Exception {
        String key = gw.keyWith(rules(null, 1L, null, null, null));
        String chat = "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(gw.post("/v1/chat/completions", chat, "authorization", "Bearer " + key)
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<byte[]> r = gw.post("/v1/chat/completions", chat, "authorization", "Bearer " + key);

        assertThat(r.statusCode()).isEqualTo(429);
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.path("message").asText()).startsWith("request limit of this key reached: 1 of 1");
    }

    @Test
    void aLongStreamHoldsItsConcurrencySlotPastTheLeaseTtlAndGivesItBackAtTheEnd() throws Exception {
        String key = gw.keyWith(rules(1, null, null, null, null));
        // five events one second apart: longer than the 3 s lease, so the slot is held only if it is renewed
        CompletableFuture<HttpResponse<InputStream>> stream = slowStream(key);
        gw.mock.awaitExchange(0, GatewayHarness.WAIT);
        Thread.sleep(3_800);

        HttpResponse<byte[]> second = send(key, messages("claude-sonnet-4-5", false, "meanwhile"));

        assertThat(rateLimited(second).path("message").asText())
                .startsWith("concurrency limit of this key reached: 1 of 1 requests in flight; resets at ");
        try (InputStream in = stream.get(20, TimeUnit.SECONDS).body()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("message_stop");
        }
        gw.outcomes.clear();
        assertThat(send(key, messages("claude-sonnet-4-5", false, "after")).statusCode())
                .as("the slot came back when the stream ended")
                .isEqualTo(200);
    }

    @Test
    void tokensPerWindowCountWhatTheUpstreamReported() throws Exception {
        String key = gw.keyWith(rules(null, null, 10L, null, null));
        HttpResponse<byte[]> first = send(key, messages("claude-sonnet-4-5", false, "use some tokens"));
        assertThat(first.statusCode()).isEqualTo(200);
        long used = gw.outcomeOf(first).usage().totalTokens();
        assertThat(used).isGreaterThanOrEqualTo(10);

        JsonNode error = rateLimited(send(key, messages("claude-sonnet-4-5", false, "more")));

        assertThat(error.path("message").asText())
                .startsWith("token limit of this key reached: " + used + " of 10 tokens per 1h; resets at ");
    }

    @Test
    void aDailyCostLimitResetsAtMidnightAndATotalOneNever() throws Exception {
        String daily = gw.keyWith(rules(null, null, null, 0.000001, null));
        String total = gw.keyWith(rules(null, null, null, null, 0.000001));
        assertThat(send(daily, messages("claude-sonnet-4-5", false, "a")).statusCode())
                .isEqualTo(200);
        assertThat(send(total, messages("claude-sonnet-4-5", false, "a")).statusCode())
                .isEqualTo(200);

        HttpResponse<byte[]> day = send(daily, messages("claude-sonnet-4-5", false, "b"));
        HttpResponse<byte[]> ever = send(total, messages("claude-sonnet-4-5", false, "b"));

        Instant midnight = Period.DAY.end(Instant.now());
        // a reached cost cap is the gateway protocol's billing_error (UsageLimitHeadersIT has its headers)
        assertThat(refused(day, "billing_error").path("message").asText())
                .startsWith("daily cost limit of this key reached: $")
                .contains("resets at " + midnight);
        assertThat(refused(ever, "billing_error").path("message").asText())
                .startsWith("total cost limit of this key reached: $")
                .contains("; it does not reset");
        assertThat(ever.headers().firstValue("retry-after")).isEmpty();
    }

    @Test
    void usageAndCostAreCountedPerKeyAccountAndModel() throws Exception {
        String key = gw.keyWith(KeyRules.NONE);
        String keyId = key.split("_")[1];
        HttpResponse<byte[]> r1 = send(key, messages("claude-sonnet-4-5", false, "count me"));
        HttpResponse<byte[]> r2 = send(key, messages("claude-sonnet-4-5", true, "count me too"));
        assertThat(new String(r2.body(), StandardCharsets.UTF_8)).contains("message_stop");
        ExchangeOutcome o1 = gw.outcomeOf(r1);
        ExchangeOutcome o2 = gw.outcomeOf(r2);
        long expectedCost = Catalogue.shipped().quote("claude-sonnet-4-5").costMicros(o1.usage())
                + Catalogue.shipped().quote("claude-sonnet-4-5").costMicros(o2.usage());
        assertThat(expectedCost).isPositive();
        assertThat(o1.client()).isEqualTo(ClientKind.OTHER);

        // usage of keys without token or cost limits is written in batches, within a tenth of a second
        UsageRow row = usage(UsageScope.KEY, keyId, 2);

        assertThat(row.counters().requests()).isEqualTo(2);
        assertThat(row.counters().inputTokens())
                .isEqualTo(o1.usage().inputTokens() + o2.usage().inputTokens());
        assertThat(row.counters().outputTokens())
                .isEqualTo(o1.usage().outputTokens() + o2.usage().outputTokens());
        assertThat(row.counters().costMicros()).isEqualTo(expectedCost);
        assertThat(usage(UsageScope.ACCOUNT, o1.accountId(), 2).counters().requests())
                .isGreaterThanOrEqualTo(2);
        assertThat(usage(UsageScope.MODEL, "claude-sonnet-4-5", 2).counters().costMicros())
                .isGreaterThanOrEqualTo(expectedCost);
    }

    @Test
    void aStreamTheClientCancelsStillCountsTheTokensSeenSoFar() throws Exception {
        String key = gw.keyWith(KeyRules.NONE);
        String keyId = key.split("_")[1];
        CompletableFuture<HttpResponse<InputStream>> stream = slowStream(key);
        InputStream in = stream.get(10, TimeUnit.SECONDS).body();
        byte[] head = new byte[64];
        assertThat(in.read(head)).isPositive();
        in.close();
        assertThat(gw.mock.awaitCancelledStreams(1, GatewayHarness.WAIT)).isTrue();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        UsageRow row = null;
        while (System.nanoTime() < deadline) {
            row = usageOrNull(UsageScope.KEY, keyId);
            if (row != null) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(row).as("the cancelled request was recorded").isNotNull();
        assertThat(row.counters().requests()).isEqualTo(1);
        assertThat(row.counters().errors())
                .as("a client leaving is not an error")
                .isZero();
        assertThat(row.counters().inputTokens())
                .as("message_start's input tokens")
                .isPositive();
    }

    /** Starts a stream of five events one second apart, read as the test likes. */
    private static CompletableFuture<HttpResponse<InputStream>> slowStream(String key) {
        return gw.http.sendAsync(
                HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/messages"))
                        .header("x-api-key", key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(messages("claude-sonnet-4-5", true, "mock:slow")))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    /** The row of {@code id} once it counts at least {@code requests} (waits up to ten seconds). */
    private static UsageRow usage(UsageScope scope, String id, long requests) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        UsageRow row = usageOrNull(scope, id);
        while ((row == null || row.counters().requests() < requests) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            row = usageOrNull(scope, id);
        }
        assertThat(row).as("usage of " + scope + " " + id).isNotNull();
        return row;
    }

    private static @Nullable UsageRow usageOrNull(UsageScope scope, String id) throws Exception {
        return gw
                .store
                .state()
                .usage(scope, Period.DAY, Instant.now())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .stream()
                .filter(r -> r.id().equals(id))
                .findFirst()
                .orElse(null);
    }
}
