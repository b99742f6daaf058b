package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.core.AccountKind;
import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin API's read of usage and account states, and its token. */
class AdminApiIT {

    private static final String TOKEN = "admin-token-for-tests-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        // the mock reports a quarter of its request limit left, until after the tests
        gw = GatewayHarness.builder()
                .config(c -> c.withScheduling(c.scheduling().withAdminToken(TOKEN)))
                .mock(MockOptions.defaults()
                        .withRateLimit("ratelimit-requests-remaining", "2500")
                        .withRateLimit("ratelimit-requests-reset", "2099-01-01T00:00:00Z"))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    private static JsonNode admin(String pathAndQuery) throws Exception {
        HttpResponse<byte[]> r = gw.get(pathAndQuery, "authorization", "Bearer " + TOKEN);
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void usagePerKeyAccountAndModelMatchesWhatTheRequestsUsed() throws Exception {
        String key = gw.keyWith(KeyRules.NONE);
        ExchangeOutcome a =
                gw.outcomeOf(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "x"), "x-api-key", key));
        ExchangeOutcome b =
                gw.outcomeOf(gw.post("/v1/messages", messages("claude-sonnet-4-5", true, "y"), "x-api-key", key));

        // written in batches within a tenth of a second: ask until both requests are in
        JsonNode byKey = null;
        JsonNode line = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline
                && (line == null || line.path("requests").asLong() < 2)) {
            byKey = admin("/admin/usage?by=key&period=day");
            line = null;
            for (JsonNode l : byKey.path("lines")) {
                if (l.path("name").asText().equals(a.keyName())) {
                    line = l;
                }
            }
            Thread.sleep(20);
        }

        assertThat(byKey.path("by").asText()).isEqualTo("key");
        assertThat(byKey.path("period").asText()).isEqualTo("day");
        assertThat(line).as("a line for key " + a.keyName()).isNotNull();
        assertThat(line.path("id").asText()).isEqualTo(a.keyId());
        assertThat(line.path("requests").asLong()).isEqualTo(2);
        assertThat(line.path("output_tokens").asLong())
                .isEqualTo(a.usage().outputTokens() + b.usage().outputTokens());
        assertThat(line.path("cost_usd").decimalValue().movePointRight(6).longValueExact())
                .isEqualTo(a.costMicros() + b.costMicros());

        JsonNode byModel = admin("/admin/usage?by=model&period=total");
        assertThat(byModel.path("lines").findValuesAsText("name")).contains("claude-sonnet-4-5");
    }

    @Test
    void accountsShowTheirStateWhyAndQuotaButNeverCredentials() throws Exception {
        gw.addAccount("revoked-one", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-error-401", 1);
        gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"));

        HttpResponse<byte[]> r = gw.get("/admin/accounts", "authorization", "Bearer " + TOKEN);

        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(body).doesNotContain(GatewayHarness.UPSTREAM_KEY).doesNotContain("mock-error-401");
        JsonNode revoked = null;
        JsonNode served = null;
        for (JsonNode acc : JSON.readTree(r.body()).path("accounts")) {
            if (acc.path("name").asText().equals("revoked-one")) {
                revoked = acc;
            } else if (acc.path("name").asText().equals("mock-anthropic")) {
                served = acc;
            }
        }
        assertThat(revoked).isNotNull();
        assertThat(revoked.path("state").asText()).isEqualTo("unauthorized");
        assertThat(revoked.path("reason").asText()).startsWith("HTTP 401");
        assertThat(revoked.has("until")).isFalse();
        assertThat(revoked.has("quota"))
                .as("its 401 carried no rate-limit headers")
                .isFalse();
        assertThat(served).isNotNull();
        assertThat(served.path("state").asText()).isEqualTo("active");
        JsonNode quota = served.path("quota");
        assertThat(quota.path("windows").path("req").path("used").asDouble())
                .as("2500 of 10000 requests left")
                .isEqualTo(0.75);
        assertThat(quota.path("headroom").asDouble()).isEqualTo(0.25);
        assertThat(quota.path("observedAt").asText()).isNotEmpty();
        gw.clearAccountConditions();
    }

    @Test
    void withoutTheAdminTokenNothingIsShown() throws Exception {
        HttpResponse<byte[]> none = gw.get("/admin/usage");
        HttpResponse<byte[]> gatewayKey = gw.get("/admin/usage", "authorization", "Bearer " + gw.key);
        HttpResponse<byte[]> wrong = gw.get("/admin/accounts", "authorization", "Bearer not-the-token-at-all");

        for (HttpResponse<byte[]> r : java.util.List.of(gatewayKey, wrong)) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(r.body()).path("error").path("message").asText())
                    .isEqualTo("admin token missing or wrong");
        }
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(none.body()).path("error").path("message").asText())
                .isEqualTo("sign in to the console, or send the admin token");
    }

    @Test
    void badParametersAndUnknownAdminRoutesAreClearErrors() throws Exception {
        HttpResponse<byte[]> by = gw.get("/admin/usage?by=planet", "authorization", "Bearer " + TOKEN);
        assertThat(by.statusCode()).isEqualTo(400);
        assertThat(new String(by.body(), StandardCharsets.UTF_8))
                .contains("by: planet (expected: key, account or model)");

        HttpResponse<byte[]> route = gw.get("/admin/everything", "authorization", "Bearer " + TOKEN);
        assertThat(route.statusCode()).isEqualTo(404);
    }

    @Test
    void aGatewayWithoutAnAdminTokenTakesNoBearerAtAllOnlyConsoleSessions() throws Exception {
        try (GatewayHarness plain = GatewayHarness.start()) {
            HttpResponse<byte[]> bearer = plain.get("/admin/usage", "authorization", "Bearer " + TOKEN);
            HttpResponse<byte[]> empty = plain.get("/admin/usage", "authorization", "Bearer ");
            HttpResponse<byte[]> none = plain.get("/admin/usage", "x-api-key", plain.key);

            assertThat(bearer.statusCode()).isEqualTo(401);
            assertThat(empty.statusCode()).isEqualTo(401);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(new String(none.body(), StandardCharsets.UTF_8)).contains("sign in to the console");
        }
    }

    private static HttpResponse<byte[]> adminPost(String path, String body) throws Exception {
        return gw.post(path, body, "authorization", "Bearer " + TOKEN);
    }

    @Test
    void adminWritesFromAnotherOriginAreRefusedInTheAdminApisErrorFormat() throws Exception {
        io.relaygate.core.Account account = gw.store
                .accounts()
                .findByName("mock-anthropic")
                .toCompletableFuture()
                .join()
                .orElseThrow();
        java.time.Instant now = java.time.Instant.now();
        gw.store
                .state()
                .setCondition(
                        account.id(),
                        new io.relaygate.accounts.state.AccountCondition(
                                io.relaygate.accounts.state.AccountCondition.State.UNAUTHORIZED, "401", now, null))
                .toCompletableFuture()
                .join();
        String resume = "/admin/accounts/mock-anthropic/resume";

        HttpResponse<byte[]> evil =
                gw.post(resume, "{}", "authorization", "Bearer " + TOKEN, "origin", "https://evil.example");
        assertThat(evil.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(evil.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("permission_denied");
        assertThat(error.path("message").asText())
                .startsWith("cross-origin admin request refused (Origin evil.example is not this host)");
        HttpResponse<byte[]> sibling =
                gw.post(resume, "{}", "authorization", "Bearer " + TOKEN, "sec-fetch-site", "same-site");
        assertThat(sibling.statusCode()).isEqualTo(403);
        assertThat(gw.store.state().conditions(now).toCompletableFuture().join())
                .as("nothing was changed")
                .containsKey(account.id());

        HttpResponse<byte[]> own = gw.post(
                resume,
                "{}",
                "authorization",
                "Bearer " + TOKEN,
                "origin",
                gw.baseUrl(),
                "sec-fetch-site",
                "same-origin");
        assertThat(own.statusCode())
                .as(new String(own.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(gw.store.state().conditions(now).toCompletableFuture().join())
                .doesNotContainKey(account.id());
        assertThat(gw.get("/admin/accounts", "authorization", "Bearer " + TOKEN, "origin", "https://evil.example")
                        .statusCode())
                .as("reads change nothing and pass")
                .isEqualTo(200);
    }

    @Test
    void subscriptionAccountsAreAddedAndResumedThroughTheAdminApiAndAudited() throws Exception {
        ch.qos.logback.classic.Logger audit =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.relaygate.audit");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
                new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        audit.addAppender(lines);
        try {
            JsonNode signIn =
                    JSON.readTree(adminPost("/admin/oauth/claude", "{}").body());
            assertThat(signIn.path("url").asText()).contains("code_challenge_method=S256");
            assertThat(signIn.path("verifier").asText()).hasSizeGreaterThan(40);

            String refresh = "sk-ant-ort01-admin-api-refresh-token";
            HttpResponse<byte[]> added = adminPost(
                    "/admin/accounts",
                    "{\"kind\":\"claude-oauth\",\"name\":\"admin-max\",\"baseUrl\":\"" + gw.mock.baseUrl()
                            + "\",\"refreshToken\":\"" + refresh + "\",\"priority\":90}");
            assertThat(added.statusCode())
                    .as(new String(added.body(), StandardCharsets.UTF_8))
                    .isEqualTo(201);
            JsonNode view = JSON.readTree(added.body());
            assertThat(view.path("name").asText()).isEqualTo("admin-max");
            assertThat(view.path("oauth").path("refreshable").asBoolean()).isTrue();
            assertThat(new String(added.body(), StandardCharsets.UTF_8)).doesNotContain(refresh);
            io.relaygate.core.Account stored = gw.store
                    .accounts()
                    .findByName("admin-max")
                    .toCompletableFuture()
                    .join()
                    .orElseThrow();
            assertThat(io.relaygate.core.OAuthTokens.parse(stored.credential()).refreshToken())
                    .isEqualTo(refresh);

            HttpResponse<byte[]> again = adminPost(
                    "/admin/accounts",
                    "{\"kind\":\"claude-oauth\",\"name\":\"admin-max\",\"baseUrl\":\"" + gw.mock.baseUrl()
                            + "\",\"apiKey\":\"x\"}");
            assertThat(again.statusCode()).as("a second account of that name").isEqualTo(400);
            assertThat(adminPost("/admin/accounts", "{not json").statusCode()).isEqualTo(400);
            assertThat(adminPost("/admin/accounts", "{\"kind\":\"claude-oauth\"}")
                            .statusCode())
                    .isEqualTo(400);

            gw.store
                    .state()
                    .setCondition(
                            stored.id(),
                            new io.relaygate.accounts.state.AccountCondition(
                                    io.relaygate.accounts.state.AccountCondition.State.UNAUTHORIZED,
                                    "HTTP 401",
                                    java.time.Instant.now(),
                                    null))
                    .toCompletableFuture()
                    .join();
            assertThat(adminPost("/admin/accounts/admin-max/resume", "").statusCode())
                    .isEqualTo(200);
            assertThat(gw.store
                            .state()
                            .conditions(java.time.Instant.now())
                            .toCompletableFuture()
                            .join())
                    .doesNotContainKey(stored.id());
            assertThat(adminPost("/admin/accounts/nobody/resume", "").statusCode())
                    .isEqualTo(400);
        } finally {
            audit.detachAppender(lines);
        }
        java.util.List<String> logged = lines.list.stream()
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .toList();
        assertThat(logged).anyMatch(l -> l.contains("action=accounts.add") && l.contains("actor=\"admin-api from"));
        assertThat(logged).anyMatch(l -> l.contains("action=accounts.resume") && l.contains("unauthorized"));
        assertThat(logged).noneMatch(l -> l.contains("sk-ant-ort01-admin-api"));
    }
}
