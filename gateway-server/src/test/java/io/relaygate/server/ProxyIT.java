package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.proxy.HttpConnectProxy;
import io.relaygate.server.proxy.Socks5Proxy;
import io.relaygate.server.proxy.TestProxy;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-account proxies through proxies of the tests' own: the upstream connection goes through them with the account's
 * credentials, the upstream's hostname is resolved by the proxy, and a dead proxy is a quick, clear error.
 */
class ProxyIT {

    private GatewayHarness gw;

    @BeforeEach
    void start() throws Exception {
        gw = GatewayHarness.start();
        // only the proxied accounts this test adds may serve
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
        gw.close();
    }

    private void proxiedAccount(String proxyUrl) {
        gw.store
                .accounts()
                .create(new Account(
                        "acc_" + Ids.random(10),
                        "proxied-" + Ids.random(4),
                        AccountKind.ANTHROPIC_API,
                        // a hostname, so that the proxy has to resolve it (remote DNS)
                        "http://localhost:" + gw.mock.port(),
                        GatewayHarness.UPSTREAM_KEY,
                        proxyUrl,
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

    private void assertServedThrough(TestProxy proxy, String user, String password) throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-sonnet-4-5", true, "through a proxy"));

        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("message_stop");
        assertThat(proxy.tunnels()).singleElement().satisfies(t -> {
            assertThat(t.host()).isEqualTo("localhost");
            assertThat(t.domain())
                    .as("the hostname went to the proxy unresolved")
                    .isTrue();
            assertThat(t.port()).isEqualTo(gw.mock.port());
            assertThat(t.user()).isEqualTo(user);
            assertThat(t.password()).isEqualTo(password);
        });
        assertThat(gw.mock.exchanges()).hasSize(1);
    }

    @Test
    void socks5WithUsernameAndPassword() throws Exception {
        try (Socks5Proxy proxy = new Socks5Proxy("relay", "s0cks-pass")) {
            proxiedAccount("socks5://relay:s0cks-pass@127.0.0.1:" + proxy.port());
            assertServedThrough(proxy, "relay", "s0cks-pass");
        }
    }

    @Test
    void httpConnectWithBasicAuthentication() throws Exception {
        try (HttpConnectProxy proxy = new HttpConnectProxy("relay", "http-pass")) {
            proxiedAccount("http://relay:http-pass@127.0.0.1:" + proxy.port());
            assertServedThrough(proxy, "relay", "http-pass");
        }
    }

    @Test
    void aDeadProxyIsAClearErrorWithoutItsAddressOrPassword() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        proxiedAccount("socks5://relay:dead-pass@127.0.0.1:" + closed);

        // a hang would hit the harness client's timeout and fail the test
        HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"));

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .contains("upstream unreachable")
                .doesNotContain(Integer.toString(closed))
                .doesNotContain("dead-pass");
        assertThat(gw.outcomeOf(r).error()).isEqualTo("bad_gateway");
    }

    @Test
    void wrongProxyCredentialsAreRefusedByTheProxyAndReportedAsUnreachable() throws Exception {
        try (Socks5Proxy proxy = new Socks5Proxy("relay", "right-pass")) {
            proxiedAccount("socks5://relay:wrong-pass@127.0.0.1:" + proxy.port());

            HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "hi"));

            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("wrong-pass");
            assertThat(gw.mock.exchanges()).isEmpty();
        }
    }

    @Test
    void aProxyThatDiesMidStreamEndsTheClientsStreamWithAnErrorEventAndKeepsTheTokensSeen() throws Exception {
        CompletableFuture<HttpResponse<byte[]>> response;
        try (Socks5Proxy proxy = new Socks5Proxy("relay", "s0cks-pass")) {
            proxiedAccount("socks5://relay:s0cks-pass@127.0.0.1:" + proxy.port());
            response = CompletableFuture.supplyAsync(() -> {
                try {
                    return gw.post(
                            "/v1/messages",
                            messages("claude-sonnet-4-5", true, "through a dying proxy"),
                            "x-mock-events",
                            "20",
                            "x-mock-event-interval-ms",
                            "200");
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            gw.mock.awaitExchange(0, GatewayHarness.WAIT);
            Thread.sleep(800);
        } // the proxy dies here, with the tunnel carrying the stream
        HttpResponse<byte[]> r = response.get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(sse).contains("event: message_start").doesNotContain("message_stop");
        assertThat(sse.substring(sse.lastIndexOf("event: ")))
                .as("the client's stream ends with an error event, not a clean end")
                .startsWith("event: error\ndata: {\"type\":\"error\"");
        ExchangeOutcome outcome = gw.nextOutcome();
        assertThat(outcome.end()).isNotEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(outcome.usage().inputTokens())
                .as("the tokens the upstream reported before the cut are recorded")
                .isPositive();
    }
}
