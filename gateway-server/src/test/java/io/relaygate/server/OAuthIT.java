package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOAuth;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.KeyRules;
import io.relaygate.core.OAuthTokens;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.config.StoreConfig;
import io.relaygate.server.cli.CliRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscription accounts against the mock's OAuth token endpoints, on two gateway instances sharing one Redis: tokens
 * refreshed before expiry and after a 401, exactly one refresh when both instances need one at once, rotation saved,
 * a refused refresh taking the account out with the endpoint's reason, and ChatGPT tokens carrying their account id.
 */
class OAuthIT {

    private static final String PREFIX = CliRedis.uniquePrefix();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static Path dataDir;
    private static MockUpstream mock;
    private static Store admin;
    private static Store storeOne;
    private static Store storeTwo;
    private static GatewayServer one;
    private static GatewayServer two;
    private static String key;

    @BeforeAll
    static void start() throws Exception {
        CliRedis.requireRedis();
        dataDir = Files.createTempDirectory("relaygate-oauth");
        mock = MockUpstream.start(MockOptions.defaults());
        GatewayConfig base = ConfigLoader.load(null, Map.of());
        GatewayConfig config = base.withServer(base.server().withPort(0))
                .withStore(new StoreConfig(StoreConfig.REDIS, dataDir, CliRedis.url(), PREFIX))
                .withScheduling(base.scheduling().withCoolDowns(Duration.ofMillis(1), Duration.ofMillis(1)));
        admin = StoreFactory.open(config.store(), Map.of());
        key = new ApiKeyService(admin.keys())
                .create("oauth-" + Ids.random(6), KeyRules.NONE)
                .toCompletableFuture()
                .join()
                .secret();
        storeOne = StoreFactory.open(config.store(), Map.of());
        storeTwo = StoreFactory.open(config.store(), Map.of());
        one = GatewayServer.builder(config, storeOne)
                .accountViewTtl(Duration.ZERO)
                .start();
        two = GatewayServer.builder(config, storeTwo)
                .accountViewTtl(Duration.ZERO)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        one.close();
        two.close();
        storeOne.close();
        storeTwo.close();
        admin.close();
        mock.close();
        CliRedis.deleteKeys(PREFIX);
    }

    @BeforeEach
    void reset() {
        mock.reset();
        mock.oauth().reset();
        for (Account a : admin.accounts().list().toCompletableFuture().join()) {
            admin.accounts()
                    .update(a.withSchedulable(false))
                    .toCompletableFuture()
                    .join();
        }
    }

    private static Account account(String name, AccountKind kind, String baseUrl, OAuthTokens tokens) {
        Account a = new Account(
                "acc_" + Ids.random(10),
                name + "-" + Ids.random(4),
                kind,
                baseUrl,
                tokens.encode(),
                null,
                1,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.now(),
                null,
                Map.of());
        return admin.accounts().create(a).toCompletableFuture().join();
    }

    /** Every token the mock issued, for the suite's secret scan. */
    @org.junit.jupiter.api.AfterEach
    void registerIssuedTokens() {
        for (MockOAuth.Issued i : mock.oauth().issued()) {
            SuiteSecretScan.secret(i.accessToken());
            SuiteSecretScan.secret(i.refreshToken());
        }
    }

    private static OAuthTokens stored(Account a) {
        Account now =
                admin.accounts().findById(a.id()).toCompletableFuture().join().orElseThrow();
        return OAuthTokens.parse(now.credential());
    }

    private static HttpResponse<String> post(GatewayServer gw, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("x-api-key", key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String claudeTokenUrl() {
        return mock.baseUrl() + "/v1/oauth/token";
    }

    @Test
    void anAccountImportedFromARefreshTokenGetsItsAccessTokenOnFirstUseAndKeepsTheRotatedOne() throws Exception {
        mock.oauth().seedRefreshToken("sk-ant-ort01-seeded-refresh-token");
        Account a = account(
                "max",
                AccountKind.CLAUDE_OAUTH,
                mock.baseUrl(),
                new OAuthTokens("", "sk-ant-ort01-seeded-refresh-token", Instant.EPOCH, claudeTokenUrl(), null, null));

        HttpResponse<String> r = post(one, "/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(mock.oauth().refreshCalls()).isEqualTo(1);
        MockOAuth.Issued issued = mock.oauth().issued().get(0);
        RecordedExchange ex = mock.awaitCompleted(1, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo("/v1/messages");
        assertThat(ex.header("authorization")).isEqualTo("Bearer " + issued.accessToken());
        assertThat(ex.header("anthropic-beta")).contains("oauth-2025-04-20");

        OAuthTokens saved = stored(a);
        assertThat(saved.accessToken()).isEqualTo(issued.accessToken());
        assertThat(saved.refreshToken())
                .as("the rotated refresh token replaced the spent one")
                .isEqualTo(issued.refreshToken())
                .isNotEqualTo("sk-ant-ort01-seeded-refresh-token");
        assertThat(saved.expiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(30)));

        assertThat(post(two, "/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "again"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(mock.oauth().refreshCalls())
                .as("a fresh token is used as is, on either instance")
                .isEqualTo(1);
    }

    @Test
    void twoInstancesNeedingARefreshAtOnceMakeExactlyOneRefreshCall() throws Exception {
        mock.oauth().seedRefreshToken("sk-ant-ort01-shared-refresh-token");
        // The token endpoint answers slowly, so both instances are waiting for a token at the same time.
        mock.oauth().delay(Duration.ofMillis(800));
        account(
                "shared",
                AccountKind.CLAUDE_OAUTH,
                mock.baseUrl(),
                new OAuthTokens(
                        "sk-ant-oat01-almost-expired",
                        "sk-ant-ort01-shared-refresh-token",
                        Instant.now().plusSeconds(60),
                        claudeTokenUrl(),
                        null,
                        null));
        String body = GatewayHarness.messages("claude-sonnet-4-5", false, "hi");
        List<CompletableFuture<HttpResponse<String>>> calls = List.of(
                CompletableFuture.supplyAsync(() -> postUnchecked(one, body)),
                CompletableFuture.supplyAsync(() -> postUnchecked(two, body)),
                CompletableFuture.supplyAsync(() -> postUnchecked(one, body)),
                CompletableFuture.supplyAsync(() -> postUnchecked(two, body)));
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.join();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        assertThat(mock.oauth().refreshCalls())
                .as("one refresh for four requests on two instances")
                .isEqualTo(1);
    }

    private static HttpResponse<String> postUnchecked(GatewayServer gw, String body) {
        try {
            return post(gw, "/v1/messages", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTokenTheUpstreamRefusesIsRefreshedOnceAndTheRequestRetried() throws Exception {
        mock.oauth().strict(true);
        mock.oauth().seedAccessToken("sk-ant-oat01-revoked-early", Instant.now().minusSeconds(5));
        mock.oauth().seedRefreshToken("sk-ant-ort01-after-401");
        Account a = account(
                "revoked",
                AccountKind.CLAUDE_OAUTH,
                mock.baseUrl(),
                new OAuthTokens(
                        "sk-ant-oat01-revoked-early",
                        "sk-ant-ort01-after-401",
                        Instant.now().plus(Duration.ofHours(1)),
                        claudeTokenUrl(),
                        null,
                        null));
        HttpResponse<String> r = post(one, "/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(mock.oauth().refreshCalls()).isEqualTo(1);
        assertThat(stored(a).accessToken()).isNotEqualTo("sk-ant-oat01-revoked-early");
        assertThat(admin.state().conditions(Instant.now()).toCompletableFuture().join())
                .as("a refreshed account stays in rotation")
                .doesNotContainKey(a.id());
    }

    @Test
    void aRefusedRefreshTakesTheAccountOutWithTheEndpointsReason() throws Exception {
        mock.oauth().failRefresh(400, "invalid_grant");
        Account a = account(
                "signed-out",
                AccountKind.CLAUDE_OAUTH,
                mock.baseUrl(),
                new OAuthTokens("", "sk-ant-ort01-revoked", Instant.EPOCH, claudeTokenUrl(), null, null));
        HttpResponse<String> r = post(one, "/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).doesNotContain("sk-ant-ort01-revoked");
        // the condition is written to the store without holding the answer up: wait for it
        AccountCondition c = null;
        long deadline = System.nanoTime() + GatewayHarness.WAIT.toNanos();
        while (c == null && System.nanoTime() < deadline) {
            c = admin.state()
                    .conditions(Instant.now())
                    .toCompletableFuture()
                    .join()
                    .get(a.id());
            if (c == null) {
                Thread.sleep(20);
            }
        }
        assertThat(c).as("the account is out of rotation").isNotNull();
        assertThat(c.state()).isEqualTo(AccountCondition.State.UNAUTHORIZED);
        assertThat(c.reason()).contains("token refresh refused (HTTP 400)").contains("invalid_grant");
        assertThat(c.reason()).doesNotContain("sk-ant-ort01");
    }

    @Test
    void chatGptTokensRefreshAtOpenAisEndpointAndCarryTheirAccountId() throws Exception {
        mock.oauth().seedRefreshToken("rt_seeded_chatgpt_refresh");
        mock.oauth().chatgptAccountId("acct-from-refresh");
        Account a = account(
                "chatgpt",
                AccountKind.CODEX_OAUTH,
                mock.baseUrl() + "/backend-api/codex",
                new OAuthTokens(
                        "", "rt_seeded_chatgpt_refresh", Instant.EPOCH, mock.baseUrl() + "/oauth/token", null, null));
        HttpResponse<String> r =
                post(one, "/openai/v1/responses", "{\"model\":\"gpt-5.5\",\"stream\":true,\"input\":\"hello\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("response.completed");
        assertThat(mock.oauth().refreshCalls()).isEqualTo(1);
        RecordedExchange ex = mock.awaitCompleted(1, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo("/backend-api/codex/responses");
        assertThat(ex.header("chatgpt-account-id")).isEqualTo("acct-from-refresh");
        assertThat(stored(a).expiresAt()).as("from the JWT's exp or expires_in").isAfter(Instant.now());
    }
}
