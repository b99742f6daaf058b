package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.AccountCondition;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.server.proxy.Socks5Proxy;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS to upstreams: the JDK's trust and hostname verification by default, an account's own trusted certificates
 * (the mock's self-signed one), TLS through a SOCKS5 proxy, and a dead proxy taking its account out of rotation.
 */
class TlsIT {

    private static MockUpstream tls;

    @BeforeAll
    static void start() {
        tls = MockUpstream.start(MockOptions.defaults().withTls(true));
    }

    @AfterAll
    static void stop() {
        tls.close();
    }

    private static Account tlsAccount(GatewayHarness gw, String name, String proxy, String trust) {
        Account a = new Account(
                "acc_" + Ids.random(10),
                name,
                AccountKind.ANTHROPIC_API,
                tls.baseUrl(),
                GatewayHarness.UPSTREAM_KEY,
                proxy,
                1,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.now(),
                trust,
                Map.of());
        return gw.store.accounts().create(a).toCompletableFuture().join();
    }

    @Test
    void aSelfSignedUpstreamIsRefusedUnlessItsAccountTrustsTheCertificate() throws Exception {
        try (GatewayHarness gw =
                GatewayHarness.builder().upstreamBaseUrl(tls.baseUrl()).start()) {
            HttpResponse<byte[]> refused =
                    gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
            assertThat(refused.statusCode())
                    .as("an untrusted certificate is an error, not a hang")
                    .isEqualTo(502);
            assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("upstream unreachable");

            tlsAccount(gw, "trusting", null, tls.certificatePem().toString());
            HttpResponse<byte[]> served =
                    gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(gw.outcomeOf(served).account()).isEqualTo("trusting");
            assertThat(tls.awaitCompleted(0, GatewayHarness.WAIT).header("x-api-key"))
                    .isEqualTo(GatewayHarness.UPSTREAM_KEY);
        }
    }

    @Test
    void tlsGoesThroughASocks5ProxyWithTheProxyResolvingTheName() throws Exception {
        tls.reset();
        try (GatewayHarness gw = GatewayHarness.start();
                Socks5Proxy proxy = new Socks5Proxy("relay", "tls-pass")) {
            tlsAccount(
                    gw,
                    "proxied-tls",
                    "socks5://relay:tls-pass@127.0.0.1:" + proxy.port(),
                    tls.certificatePem().toString());
            HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hi"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("event: message_stop");
            assertThat(proxy.tunnels()).hasSize(1);
            assertThat(proxy.tunnels().get(0).host()).isEqualTo("localhost");
            assertThat(proxy.tunnels().get(0).domain())
                    .as("the proxy resolved the name")
                    .isTrue();
        }
    }

    @Test
    void aDeadProxyTakesItsAccountOutOfRotationForAWhile() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (GatewayHarness gw = GatewayHarness.builder()
                .config(c ->
                        c.withScheduling(c.scheduling().withCoolDowns(Duration.ofMinutes(1), Duration.ofMinutes(1))))
                .start()) {
            Account dead = tlsAccount(gw, "dead-proxy", "socks5://relay:pw@127.0.0.1:" + closed, null);
            HttpResponse<byte[]> first =
                    gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
            assertThat(first.statusCode())
                    .as("failed over to the harness's own account before the first byte")
                    .isEqualTo(200);
            AccountCondition c = gw.store
                    .state()
                    .conditions(Instant.now())
                    .toCompletableFuture()
                    .join()
                    .get(dead.id());
            assertThat(c).isNotNull();
            assertThat(c.state()).isEqualTo(AccountCondition.State.UNREACHABLE);
            assertThat(c.until()).isAfter(Instant.now().plusSeconds(30));
            assertThat(c.reason()).doesNotContain("pw@");

            gw.outcomes.clear();
            HttpResponse<byte[]> next =
                    gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
            assertThat(gw.outcomeOf(next).attempts())
                    .as("the dead account is skipped, not tried again")
                    .isEqualTo(1);
        }
    }
}
