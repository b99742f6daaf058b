package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Key A can never see or spend key B's data, through any endpoint a key holder reaches: its secret with B's id is
 * refused, its requests count against its own limits and usage only (even when they carry B's session), B's limit
 * never refuses A, and a gateway key opens neither the admin API nor the metrics.
 */
class KeyIsolationIT {

    private static final String ADMIN_TOKEN = "admin-token-for-isolation-0123456789";
    private static GatewayHarness gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.builder()
                .config(c -> c.withScheduling(c.scheduling().withAdminToken(ADMIN_TOKEN)))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    private static KeyRules oneRequestPerHour() {
        return new KeyRules(
                null,
                1L,
                Duration.ofHours(1),
                null,
                null,
                null,
                null,
                null,
                List.of(),
                List.of(),
                Set.of(),
                null,
                null,
                null);
    }

    private static HttpResponse<byte[]> send(String key, String session, String text) throws Exception {
        return gw.post(
                "/v1/messages",
                messages("claude-sonnet-4-5", false, text),
                "x-api-key",
                key,
                "x-claude-code-session-id",
                session);
    }

    @Test
    void aSecretWithAnotherKeysIdIsRefused() throws Exception {
        String a = gw.keyWith(KeyRules.NONE);
        String b = gw.keyWith(KeyRules.NONE);
        // rg_<id>_<random>: B's id with A's random part
        String forged = b.substring(0, 14) + a.substring(14);

        HttpResponse<byte[]> r =
                gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", forged);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .doesNotContain(b.substring(14))
                .doesNotContain(a);
        assertThat(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"), "x-api-key", b)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void requestsCountAgainstTheirOwnKeyOnlyEvenWithAnotherKeysSession() throws Exception {
        String b = gw.keyWith(oneRequestPerHour());
        String a = gw.keyWith(oneRequestPerHour());
        String session = "shared-session-" + System.nanoTime();

        ExchangeOutcome first = gw.outcomeOf(send(b, session, "b's turn"));
        HttpResponse<byte[]> aFirst = send(a, session, "a's turn");

        assertThat(aFirst.statusCode())
                .as("B's spent request window does not refuse A")
                .isEqualTo(200);
        ExchangeOutcome aOutcome = gw.outcomeOf(aFirst);
        assertThat(aOutcome.keyId()).isNotEqualTo(first.keyId());
        assertThat(send(b, session, "b again").statusCode())
                .as("A's request did not free or use B's window")
                .isEqualTo(429);
        assertThat(send(a, session, "a again").statusCode()).isEqualTo(429);
    }

    @Test
    void aGatewayKeyOpensNeitherTheAdminApiNorAnotherKeysUsage() throws Exception {
        String a = gw.keyWith(KeyRules.NONE);
        for (String path : List.of("/admin/usage?by=key", "/admin/accounts")) {
            assertThat(gw.get(path, "authorization", "Bearer " + a).statusCode())
                    .as(path + " with a gateway key as bearer")
                    .isEqualTo(401);
            assertThat(gw.get(path, "x-api-key", a).statusCode())
                    .as(path + " with a gateway key as x-api-key")
                    .isEqualTo(401);
        }
        HttpResponse<byte[]> resume =
                gw.post("/admin/accounts/mock-anthropic/resume", "{}", "authorization", "Bearer " + a);
        assertThat(resume.statusCode()).as("nor spends an admin write").isEqualTo(401);
    }

    @Test
    void theKeyHolderPageShowsItsOwnRequestsAndModelsOnlyAndNoAccount() throws Exception {
        String a = gw.keyWith(KeyRules.NONE);
        String b = gw.keyWith(KeyRules.NONE);
        ExchangeOutcome mine = gw.outcomeOf(send(a, "me-a-" + System.nanoTime(), "a's request"));
        ExchangeOutcome theirs = gw.outcomeOf(
                gw.post("/v1/messages", messages("claude-haiku-4-5", false, "b's request"), "x-api-key", b));
        assertThat(mine.status()).isEqualTo(200);
        assertThat(theirs.status()).isEqualTo(200);

        // records are written in batches off the request path: ask until both keys' requests are in
        com.fasterxml.jackson.databind.JsonNode me = null;
        String body = "";
        long deadline = System.nanoTime() + GatewayHarness.WAIT.toNanos();
        while (System.nanoTime() < deadline && (me == null || me.path("recent").size() < 1 || !seen(b))) {
            HttpResponse<byte[]> r = gw.get("/me/api", "x-api-key", a);
            assertThat(r.statusCode()).isEqualTo(200);
            body = new String(r.body(), StandardCharsets.UTF_8);
            me = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            Thread.sleep(20);
        }
        assertThat(me.path("requestsKept").asBoolean()).isTrue();
        assertThat(me.path("recent")).as("A's one request").hasSize(1);
        assertThat(me.path("recent").get(0).path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(me.path("recent").get(0).path("status").asInt()).isEqualTo(200);
        assertThat(me.path("models")).hasSize(1);
        assertThat(me.path("models").get(0).path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(me.path("models").get(0).path("requests").asLong()).isEqualTo(1);
        assertThat(body)
                .as("nothing of B's, nor of the accounts")
                .doesNotContain(theirs.keyName())
                .doesNotContain(theirs.keyId())
                .doesNotContain(b)
                .doesNotContain("claude-haiku-4-5")
                .doesNotContain("mock-anthropic")
                .doesNotContain(mine.requestId())
                .doesNotContain("candidates")
                .doesNotContain("attempts");
    }

    /** Whether B's request reached the records (so A's view was read after it could have shown up). */
    private static boolean seen(String b) throws Exception {
        HttpResponse<byte[]> r = gw.get("/me/api", "x-api-key", b);
        return new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(r.body())
                        .path("recent")
                        .size()
                > 0;
    }
}
