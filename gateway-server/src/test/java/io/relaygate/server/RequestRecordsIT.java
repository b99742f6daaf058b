package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.StoreConfig;
import io.relaygate.server.cli.CliRedis;
import io.relaygate.server.cli.CliRunner;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-request records on both stores, end to end: a request that failed over from an overloaded account, a request
 * served at once and a request refused for having no key become records the admin API lists (JSON and CSV) and the
 * {@code relaygate requests} command prints (table, {@code --json}, {@code --csv}), by key, by account and by time,
 * each attempt with its account, status and tokens.
 */
class RequestRecordsIT {

    private static final String TOKEN = "admin-token-for-tests-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} store")
    @ValueSource(strings = {StoreConfig.LOCAL, StoreConfig.REDIS})
    void requestsAreListedAndExportedByKeyAccountAndTime(String storeType) throws Exception {
        boolean redis = storeType.equals(StoreConfig.REDIS);
        String prefix = CliRedis.uniquePrefix();
        if (redis) {
            CliRedis.requireRedis();
        }
        try (GatewayHarness gw = GatewayHarness.builder()
                .config(c -> {
                    var withToken = c.withScheduling(c.scheduling().withAdminToken(TOKEN));
                    return redis
                            ? withToken.withStore(
                                    new StoreConfig(StoreConfig.REDIS, c.store().dataDir(), CliRedis.url(), prefix))
                            : withToken;
                })
                .start()) {
            // an account that wins on priority and always answers 529: the request fails over to the harness's
            Account overloaded =
                    gw.addAccount("overloaded", AccountKind.ANTHROPIC_API, gw.mock.baseUrl(), "mock-error-529", 1);
            String key = gw.keyWith(KeyRules.NONE);
            ExchangeOutcome failover = gw.outcomeOf(
                    gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "one"), "x-api-key", key));
            String keyName = failover.keyName();
            gw.store
                    .accounts()
                    .update(overloaded.withSchedulable(false))
                    .toCompletableFuture()
                    .join();
            gw.store
                    .accounts()
                    .create(new Account(
                            "haikuonly01",
                            "haiku-only",
                            AccountKind.ANTHROPIC_API,
                            gw.mock.baseUrl(),
                            "sk-haiku-only",
                            null,
                            1,
                            true,
                            null,
                            List.of("claude-haiku-4-5"),
                            Map.of(),
                            java.time.Instant.now(),
                            null,
                            Map.of()))
                    .toCompletableFuture()
                    .join();
            ExchangeOutcome direct =
                    gw.outcomeOf(gw.post("/v1/messages", messages("claude-sonnet-4-5", true, "two"), "x-api-key", key));
            HttpResponse<byte[]> noKey = gw.http.send(
                    HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/messages"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(messages("claude-sonnet-4-5", false, "x")))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(noKey.statusCode()).isEqualTo(401);
            assertThat(failover.attempts()).isEqualTo(2);

            // written in batches a tenth of a second apart: ask until all three are in (the refusal may be a batch
            // behind the key's two requests)
            JsonNode byKey = null;
            long deadline = System.nanoTime() + GatewayHarness.WAIT.toNanos();
            while (System.nanoTime() < deadline
                    && (byKey == null
                            || byKey.path("requests").size() < 2
                            || admin(gw, "/admin/requests?since=1h&limit=10")
                                            .path("requests")
                                            .size()
                                    < 3)) {
                byKey = admin(gw, "/admin/requests?key=" + keyName + "&since=1h");
                Thread.sleep(20);
            }
            JsonNode requests = byKey.path("requests");
            assertThat(requests).as("the key's two requests").hasSize(2);
            assertThat(byKey.has("next")).isTrue();
            JsonNode newest = requests.get(0);
            assertThat(newest.path("id").asText()).as("newest first").isEqualTo(direct.requestId());
            assertThat(newest.path("keyName").asText()).isEqualTo(keyName);
            assertThat(newest.path("inbound").asText()).isEqualTo("anthropic");
            assertThat(newest.path("status").asInt()).isEqualTo(200);
            assertThat(newest.path("end").asText()).isEqualTo("COMPLETED");
            assertThat(newest.path("outputTokens").asLong())
                    .isEqualTo(direct.usage().outputTokens());
            assertThat(newest.path("time").asText()).as("ISO-8601").endsWith("Z");
            Map<String, String> trace = new HashMap<>();
            newest.path("candidates")
                    .forEach(c -> trace.put(
                            c.path("account").asText(),
                            c.path("skipped").isNull()
                                    ? null
                                    : c.path("skipped").asText()));
            assertThat(trace)
                    .as("the routing trace: the candidate offered, and each account passed over with why")
                    .containsEntry("mock-anthropic", null)
                    .containsEntry("overloaded", "not schedulable")
                    .containsEntry("haiku-only", "model claude-sonnet-4-5 not served");
            JsonNode older = requests.get(1);
            assertThat(older.path("id").asText()).isEqualTo(failover.requestId());
            JsonNode attempts = older.path("attempts");
            assertThat(attempts).as("each attempt of the failover").hasSize(2);
            assertThat(attempts.get(0).path("account").asText()).isEqualTo("overloaded");
            assertThat(attempts.get(0).path("status").asInt()).isEqualTo(529);
            assertThat(attempts.get(0).path("error").asText()).isEqualTo("overloaded");
            assertThat(attempts.get(0).path("outputTokens").asLong()).isZero();
            assertThat(attempts.get(1).path("account").asText()).isEqualTo("mock-anthropic");
            assertThat(attempts.get(1).path("status").asInt()).isEqualTo(200);
            assertThat(attempts.get(1).path("outputTokens").asLong())
                    .as("the serving attempt carries the tokens billed")
                    .isEqualTo(failover.usage().outputTokens())
                    .isPositive();
            assertThat(older.path("candidates").get(0).path("account").asText()).isEqualTo("overloaded");

            assertThat(admin(gw, "/admin/requests?account=overloaded&since=1h").path("requests"))
                    .as("by account: only the request that tried it")
                    .hasSize(1);
            assertThat(admin(gw, "/admin/requests?key=" + keyName + "&until=2020-01-01T00:00:00Z")
                            .path("requests"))
                    .as("by time: none before 2020")
                    .isEmpty();
            JsonNode refused = admin(gw, "/admin/requests?since=1h&limit=10").path("requests");
            assertThat(refused).as("the refusal is a record too").anySatisfy(r -> {
                assertThat(r.path("status").asInt()).isEqualTo(401);
                assertThat(r.path("end").asText()).isEqualTo("REFUSED");
                assertThat(r.path("errorKind").asText()).isEqualTo("authentication");
                assertThat(r.path("keyId").isNull()).isTrue();
            });

            HttpResponse<byte[]> csv =
                    gw.get("/admin/requests?key=" + keyName + "&format=csv", "authorization", "Bearer " + TOKEN);
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
            List<String> rows =
                    new String(csv.body(), StandardCharsets.UTF_8).lines().toList();
            assertThat(rows).hasSize(3);
            assertThat(rows.get(0)).startsWith("id,time,key_id,key_name,client,inbound,model,status,end");
            assertThat(rows.get(2))
                    .startsWith(failover.requestId() + ",")
                    .contains(",COMPLETED,", "overloaded:529:", ";mock-anthropic:200:");
            HttpResponse<byte[]> bad = gw.get("/admin/requests?since=yesterday", "authorization", "Bearer " + TOKEN);
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(new String(bad.body(), StandardCharsets.UTF_8)).contains("since: yesterday");

            Map<String, String> env = new HashMap<>();
            env.put("RELAYGATE_DATA_DIR", gw.dataDir.toString());
            if (redis) {
                env.put("REDIS_URL", CliRedis.url());
                env.put("RELAYGATE_REDIS_PREFIX", prefix);
            }
            CliRunner.Result table = CliRunner.run(env, "requests", "--key", keyName, "--since", "1h");
            assertThat(table.code()).as(table.err()).isZero();
            assertThat(table.out()).contains(keyName, "overloaded 529 → mock-anthropic 200", "COMPLETED");
            CliRunner.Result json = CliRunner.run(env, "requests", "--key", keyName, "--json");
            assertThat(json.code()).as(json.err()).isZero();
            assertThat(JSON.readTree(json.out()).path("requests"))
                    .as("the CLI's JSON is the admin API's")
                    .isEqualTo(requests);
            CliRunner.Result export = CliRunner.run(env, "requests", "--account", "overloaded", "--csv");
            assertThat(export.code()).as(export.err()).isZero();
            assertThat(export.out().lines().toList()).hasSize(2);
            CliRunner.Result wrong = CliRunner.run(env, "requests", "--limit", "5000");
            assertThat(wrong.code()).isEqualTo(2);
            assertThat(wrong.err()).contains("limit: 5000");
        } finally {
            if (redis) {
                CliRedis.deleteKeys(prefix);
            }
        }
    }

    private static JsonNode admin(GatewayHarness gw, String pathAndQuery) throws Exception {
        HttpResponse<byte[]> r = gw.get(pathAndQuery, "authorization", "Bearer " + TOKEN);
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
