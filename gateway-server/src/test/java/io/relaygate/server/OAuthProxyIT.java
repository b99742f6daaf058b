package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.bench.mock.MockOAuth;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.OAuthTokens;
import io.relaygate.server.proxy.HttpConnectProxy;
import io.relaygate.server.proxy.Socks5Proxy;
import io.relaygate.server.proxy.TestProxy;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscription accounts behind a proxy refresh their tokens through it, like their requests: the token endpoint is
 * reached through the account's SOCKS5 or HTTP CONNECT proxy with its credentials, and a dead proxy means no refresh
 * at all (never a direct call around it).
 *
 * <p>The accounts' base URLs name {@code localhost} and their token URLs {@code 127.0.0.1} (both the mock), so the
 * proxy's record tells the token call's tunnel from the request's.
 */
class OAuthProxyIT {

    private static final String TOKEN_HOST = "127.0.0.1";

    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.start();
        Account direct = gw.store
                .accounts()
                .findByName("mock-anthropic")
                .toCompletableFuture()
                .join()
                .orElseThrow();
        gw.store
                .accounts()
                .update(direct.withSchedulable(false))
                .toCompletableFuture()
                .join();
    }

    @AfterEach
    void stop() throws Exception {
        for (MockOAuth.Issued i : gw.mock.oauth().issued()) {
            SuiteSecretScan.secret(i.accessToken());
            SuiteSecretScan.secret(i.refreshToken());
        }
        gw.close();
    }

    private Account dueAccount(AccountKind kind, String basePath, String tokenPath, String refresh, String proxy) {
        gw.mock.oauth().seedRefreshToken(refresh);
        OAuthTokens tokens = new OAuthTokens(
                "", refresh, Instant.EPOCH, "http://" + TOKEN_HOST + ":" + gw.mock.port() + tokenPath, null, null);
        return gw.store
                .accounts()
                .create(new Account(
                        "acc_" + Ids.random(10),
                        "proxied-oauth-" + Ids.random(4),
                        kind,
                        "http://localhost:" + gw.mock.port() + basePath,
                        tokens.encode(),
                        proxy,
                        10,
                        true,
                        null,
                        List.of(),
                        Map.of(),
                        Instant.now(),
                        null,
                        Map.of()))
                .toCompletableFuture()
                .join();
    }

    private OAuthTokens stored(Account a) {
        Account now = gw.store
                .accounts()
                .findById(a.id())
                .toCompletableFuture()
                .join()
                .orElseThrow();
        return OAuthTokens.parse(now.credential());
    }

    private void assertRefreshedThrough(TestProxy proxy, Account a, String user, String password) {
        assertThat(gw.mock.oauth().refreshCalls()).isEqualTo(1);
        MockOAuth.Issued issued = gw.mock.oauth().issued().get(0);
        assertThat(stored(a).accessToken()).as("the refreshed token was saved").isEqualTo(issued.accessToken());
        List<TestProxy.Tunnel> tunnels = proxy.tunnels();
        assertThat(tunnels)
                .as("one tunnel to the token endpoint, one to the API, both with the account's proxy credentials")
                .hasSize(2)
                .allSatisfy(t -> {
                    assertThat(t.port()).isEqualTo(gw.mock.port());
                    assertThat(t.user()).isEqualTo(user);
                    assertThat(t.password()).isEqualTo(password);
                });
        assertThat(tunnels)
                .as("the token refresh went through the proxy")
                .filteredOn(t -> t.host().equals(TOKEN_HOST))
                .hasSize(1);
        assertThat(tunnels)
                .as("and so did the request itself")
                .filteredOn(t -> t.host().equals("localhost"))
                .hasSize(1);
    }

    @Test
    void aClaudeAccountsDueTokenIsRefreshedThroughItsSocks5Proxy() throws Exception {
        try (Socks5Proxy proxy = new Socks5Proxy("relay", "s0cks-pass")) {
            Account a = dueAccount(
                    AccountKind.CLAUDE_OAUTH,
                    "",
                    "/v1/oauth/token",
                    "sk-ant-ort01-behind-socks",
                    "socks5://relay:s0cks-pass@127.0.0.1:" + proxy.port());

            HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"));

            assertThat(r.statusCode())
                    .as(new String(r.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertRefreshedThrough(proxy, a, "relay", "s0cks-pass");
        }
    }

    @Test
    void aCodexAccountsDueTokenIsRefreshedThroughItsHttpConnectProxy() throws Exception {
        try (HttpConnectProxy proxy = new HttpConnectProxy("relay", "http-pass")) {
            Account a = dueAccount(
                    AccountKind.CODEX_OAUTH,
                    "/backend-api/codex",
                    "/oauth/token",
                    "rt_behind_http_proxy",
                    "http://relay:http-pass@127.0.0.1:" + proxy.port());

            HttpResponse<byte[]> r =
                    gw.post("/openai/v1/responses", "{\"model\":\"gpt-5.5\",\"stream\":true,\"input\":\"hello\"}");

            assertThat(r.statusCode())
                    .as(new String(r.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("response.completed");
            assertRefreshedThrough(proxy, a, "relay", "http-pass");
        }
    }

    @Test
    void aDeadProxyMeansNoRefreshRatherThanADirectCall() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Account a = dueAccount(
                AccountKind.CLAUDE_OAUTH,
                "",
                "/v1/oauth/token",
                "sk-ant-ort01-dead-proxy",
                "socks5://relay:dead-pass@127.0.0.1:" + closed);

        HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"));

        assertThat(r.statusCode()).isNotEqualTo(200);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(body).doesNotContain("dead-pass").doesNotContain("sk-ant-ort01-dead-proxy");
        assertThat(gw.mock.oauth().refreshCalls())
                .as("the token endpoint was never called around the proxy")
                .isZero();
        assertThat(gw.mock.exchanges()).isEmpty();
        assertThat(stored(a).refreshToken())
                .as("the refresh token is not spent")
                .isEqualTo("sk-ant-ort01-dead-proxy");
    }
}
