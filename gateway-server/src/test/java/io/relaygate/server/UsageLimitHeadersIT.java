package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.state.Period;
import io.relaygate.core.KeyRules;
import io.relaygate.core.catalogue.Catalogue;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claude Code's gateway protocol, "Usage-limit headers": a key with a daily cost cap learns its standing on every
 * success ({@code anthropic-ratelimit-unified-*}, the upstream's own {@code anthropic-ratelimit-*} stripped), gets the
 * protocol's {@code 429 billing_error} once the cap is reached, and reads its cap in dollars at
 * {@code GET /api/oauth/usage}. A key without a cap sees the upstream's headers untouched and reads its spend with no
 * limit there.
 */
class UsageLimitHeadersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UNIFIED = "anthropic-ratelimit-unified-";
    /** The same request every time, so each costs the same. */
    private static final String BODY = messages("claude-sonnet-4-5", false, "the same question");

    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void reset() {
        gw.reset();
    }

    private static KeyRules daily(double usd) {
        return LimitsIT.rules(null, null, null, usd, null);
    }

    /** A request (asking the mock for a subscription's unified headers too), its usage and cost counted. */
    private static HttpResponse<byte[]> send(String key) throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", BODY, "x-api-key", key, "x-mock-unified", "1");
        gw.outcomeOf(r);
        return r;
    }

    /** What one {@link #BODY} costs, in micro-USD, measured on a key without limits. */
    private static long costOfOne() throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", BODY, "x-mock-unified", "1");
        assertThat(r.statusCode()).isEqualTo(200);
        long micros = Catalogue.shipped()
                .quote("claude-sonnet-4-5")
                .costMicros(gw.outcomeOf(r).usage());
        assertThat(micros).isPositive();
        return micros;
    }

    private static String header(HttpHeaders h, String name) {
        return h.firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " in " + h.map()));
    }

    @Test
    void aCappedKeyIsToldItsStandingThenWarnedPast75PercentThenRefusedWithTheBillingShape() throws Exception {
        long one = costOfOne();
        // the cap holds one and a quarter requests: after the first, 80 % is spent; after the second, over
        String key = gw.keyWith(daily(one * 1.25 / 1e6));
        long midnight = Period.DAY.end(Instant.now()).getEpochSecond();

        HttpHeaders first = send(key).headers();

        assertThat(header(first, UNIFIED + "status")).isEqualTo("allowed");
        assertThat(header(first, UNIFIED + "representative-claim")).isEqualTo("overage");
        assertThat(header(first, UNIFIED + "overage-status")).isEqualTo("allowed");
        assertThat(header(first, UNIFIED + "overage-utilization")).isEqualTo("0.00");
        assertThat(first.firstValue(UNIFIED + "overage-surpassed-threshold"))
                .as("below 75 %% no threshold")
                .isEmpty();
        assertThat(header(first, UNIFIED + "reset")).isEqualTo(Long.toString(midnight));
        assertThat(header(first, UNIFIED + "overage-reset")).isEqualTo(Long.toString(midnight));
        assertThat(first.map().keySet())
                .as("the upstream's own quota headers (the team's account) are stripped")
                .noneMatch(n -> n.startsWith("anthropic-ratelimit-") && !n.startsWith(UNIFIED))
                .doesNotContain(UNIFIED + "5h-utilization", UNIFIED + "7d-utilization");

        HttpHeaders second = send(key).headers();

        assertThat(header(second, UNIFIED + "status")).isEqualTo("allowed_warning");
        assertThat(header(second, UNIFIED + "overage-status")).isEqualTo("allowed_warning");
        assertThat(header(second, UNIFIED + "overage-surpassed-threshold")).isEqualTo("0.75");
        assertThat(Double.parseDouble(header(second, UNIFIED + "overage-utilization")))
                .isBetween(0.79, 0.80);

        HttpResponse<byte[]> refused = gw.post("/v1/messages", BODY, "x-api-key", key);

        assertThat(refused.statusCode()).isEqualTo(429);
        JsonNode body = JSON.readTree(refused.body());
        assertThat(body.path("error").path("type").asText()).isEqualTo("billing_error");
        assertThat(body.path("error").path("message").asText())
                .startsWith("daily cost limit of this key reached: $")
                .contains("resets at " + Instant.ofEpochSecond(midnight));
        HttpHeaders h = refused.headers();
        long retryAfter = Long.parseLong(header(h, "retry-after"));
        assertThat(retryAfter).isBetween(1L, 86_400L);
        assertThat(header(h, "x-should-retry")).isEqualTo("false");
        assertThat(header(h, UNIFIED + "status")).isEqualTo("rejected");
        assertThat(header(h, UNIFIED + "reset")).isEqualTo(Long.toString(midnight));
        assertThat(header(h, UNIFIED + "overage-reset")).isEqualTo(Long.toString(midnight));
        assertThat(header(h, UNIFIED + "overage-utilization")).isEqualTo("1");
        assertThat(header(h, UNIFIED + "overage-surpassed-threshold")).isEqualTo("1");
        assertThat(header(h, UNIFIED + "overage-period")).isEqualTo("daily");
        assertThat(header(h, UNIFIED + "overage-disabled-reason")).isEqualTo("org_spend_cap_reached");
        assertThat(h.map().keySet())
                .as("without them the client prints the gateway's message as it is")
                .doesNotContain(UNIFIED + "representative-claim", UNIFIED + "overage-status");
        assertThat(gw.mock.exchanges())
                .as("the refused request never reached an upstream")
                .hasSize(3);
    }

    @Test
    void aKeyWithoutACapKeepsTheUpstreamsHeadersAndGetsNone() throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", BODY, "x-mock-unified", "1");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().map().keySet())
                .as("the upstream's headers, untouched")
                .contains("anthropic-ratelimit-requests-remaining", UNIFIED + "5h-utilization")
                .doesNotContain(UNIFIED + "overage-utilization", UNIFIED + "overage-status");
        assertThat(header(r.headers(), UNIFIED + "representative-claim"))
                .as("the subscription's own claim, as the mock sent it")
                .isNotEqualTo("overage");
    }

    @Test
    void anOpenAiClientOfACappedKeyIsStillRefusedInItsOwnFormat() throws Exception {
        String key = gw.keyWith(daily(0.000001));
        send(key);

        HttpResponse<byte[]> r = gw.post(
                "/v1/chat/completions",
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                "authorization",
                "Bearer " + key);

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(r.body()).path("error").path("type").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(r.headers().firstValue(UNIFIED + "status")).isEmpty();
    }

    @Test
    void theUsageEndpointGivesTheCapInCentsAndWholePercents() throws Exception {
        long one = costOfOne();
        String key = gw.keyWith(daily(one * 4 / 1e6));
        send(key);
        HttpResponse<byte[]> usage = gw.get("/api/oauth/usage", "authorization", "Bearer " + key);

        String text = new String(usage.body(), StandardCharsets.UTF_8);
        assertThat(usage.statusCode()).as(text).isEqualTo(200);
        assertThat(header(usage.headers(), "cache-control")).isEqualTo("no-store");
        JsonNode n = JSON.readTree(usage.body());
        JsonNode extra = n.path("extra_usage");
        assertThat(extra.path("is_enabled").asBoolean()).isTrue();
        assertThat(extra.path("monthly_limit").isNumber()).isTrue();
        assertThat(extra.path("monthly_limit").asLong()).isEqualTo(Math.round(one * 4 / 10_000d));
        assertThat(extra.path("used_credits").isNumber()).isTrue();
        assertThat(extra.path("used_credits").asLong()).isEqualTo(Math.round(one / 10_000d));
        assertThat(extra.path("utilization").asLong()).as("whole percent").isEqualTo(25);
        assertThat(extra.path("currency").asText()).isEqualTo("USD");
        JsonNode row = n.path("limits").get(0);
        assertThat(n.path("limits")).hasSize(1);
        assertThat(row.path("kind").asText()).isEqualTo("spend");
        assertThat(row.path("group").asText()).isEqualTo("daily");
        assertThat(row.path("percent").asLong()).isEqualTo(25);
        assertThat(row.path("is_active").asBoolean()).isTrue();
        assertThat(Instant.parse(row.path("resets_at").asText()))
                .as("the same instant as the headers' reset")
                .isEqualTo(Period.DAY.end(Instant.now()));
        assertThat(row.path("resets_at").asText()).endsWith(".000Z");

        assertThat(gw.get("/claude/api/oauth/usage", "x-api-key", key).statusCode())
                .isEqualTo(200);
        assertThat(gw.get("/api/oauth/usage", "authorization", "Bearer rg_nope_nope")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void aKeyWithoutACapReadsItsSpendThisMonthDayAndWeekWithNoLimit() throws Exception {
        String key = gw.keyWith(KeyRules.NONE);
        // a long question (the mock bills a token per 4 bytes) so that the spend is whole cents, not rounded away
        String question = messages("claude-sonnet-4-5", false, "a long question ".repeat(4_000));
        long micros = 0;
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = gw.post("/v1/messages", question, "x-api-key", key);
            assertThat(r.statusCode()).isEqualTo(200);
            micros += Catalogue.shipped()
                    .quote("claude-sonnet-4-5")
                    .costMicros(gw.outcomeOf(r).usage());
        }
        long cents = Math.round(micros / 10_000d);
        assertThat(cents)
                .as("two requests cost cents, or the test proves nothing")
                .isGreaterThan(1);

        // the spend of a key without limits reaches the store with the usage batch (every 100 ms)
        JsonNode extra = null;
        for (int i = 0; i < 100; i++) {
            HttpResponse<byte[]> usage = gw.get("/api/oauth/usage", "authorization", "Bearer " + key);
            assertThat(usage.statusCode())
                    .as(new String(usage.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            extra = JSON.readTree(usage.body()).path("extra_usage");
            if (extra.path("used_credits").asLong() == cents) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(extra.path("used_credits").asLong())
                .as("this month, in cents")
                .isEqualTo(cents);
        assertThat(extra.path("monthly_limit").isNull())
                .as("null, not a $0 cap")
                .isTrue();
        assertThat(extra.path("utilization").isNull()).isTrue();
        assertThat(extra.path("currency").asText()).isEqualTo("USD");
        for (String period : List.of("daily", "weekly")) {
            JsonNode p = extra.path(period);
            assertThat(p.path("limit").isNull()).as(period).isTrue();
            assertThat(p.path("used_credits").asLong()).as(period).isEqualTo(cents);
            assertThat(p.path("utilization").isNull()).as(period).isTrue();
        }
        JsonNode limits = JSON.readTree(
                        gw.get("/api/oauth/usage", "x-api-key", key).body())
                .path("limits");
        assertThat(limits.isArray() && limits.isEmpty()).as("no cap, no rows").isTrue();
    }

    @Test
    void aSignedInPersonWithACapGetsTheHeadersAndTheirUsageUnderTheirBearer() throws Exception {
        String name = "capped-" + io.relaygate.core.Ids.random(6).toLowerCase(java.util.Locale.ROOT);
        new io.relaygate.server.signin.PeopleAdmin(gw.store, java.time.Clock.systemUTC())
                .add(name, name + "@example.com", null, List.of("dev"), daily(5.0))
                .toCompletableFuture()
                .join();
        String bearer =
                "Bearer " + DeviceSignIn.signIn(gw, name).path("access_token").asText();

        HttpResponse<byte[]> r = gw.post("/v1/messages", BODY, "authorization", bearer, "x-mock-unified", "1");
        gw.outcomeOf(r);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r.headers(), UNIFIED + "status")).isEqualTo("allowed");
        assertThat(header(r.headers(), UNIFIED + "representative-claim")).isEqualTo("overage");
        HttpResponse<byte[]> usage = gw.get("/api/oauth/usage", "authorization", bearer);
        assertThat(usage.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(usage.body())
                        .path("extra_usage")
                        .path("monthly_limit")
                        .asLong())
                .as("$5.00 in cents")
                .isEqualTo(500);
    }

    @Test
    void aStreamedAnswerCarriesTheHeadersOnItsHead() throws Exception {
        String key = gw.keyWith(daily(5.0));

        HttpResponse<byte[]> r = gw.post(
                "/v1/messages",
                messages("claude-sonnet-4-5", true, "stream it"),
                "x-api-key",
                key,
                "x-mock-unified",
                "1");

        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("message_stop");
        assertThat(header(r.headers(), UNIFIED + "status")).isEqualTo("allowed");
        assertThat(header(r.headers(), UNIFIED + "overage-utilization")).isEqualTo("0.00");
        assertThat(r.headers().firstValue(UNIFIED + "5h-utilization")).isEmpty();
    }
}
