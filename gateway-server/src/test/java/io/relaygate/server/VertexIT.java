package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import io.relaygate.core.VertexCredentials;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.catalogue.ModelEntry;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.proxy.HttpConnectProxy;
import io.relaygate.server.proxy.Socks5Proxy;
import io.relaygate.server.proxy.TestProxy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Claude on Google Vertex AI through the gateway, on the mock's Vertex mode: the service account key is exchanged for
 * an access token by Google's auth library at the mock's token endpoint (which checks the JWT's signature), the bearer
 * is checked on every call, the stream is relayed as Anthropic SSE with its usage; a refused service account is named
 * by account and its key never shown.
 */
class VertexIT {

    private static GatewayHarness gw;
    private static CloudFixture cloud;
    private static AnthropicClient anthropic;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        cloud = CloudFixture.on(gw);
        anthropic = cloud.anthropic();
    }

    @BeforeEach
    void onlyVertex() {
        cloud.onlyTheTestsOwnAccounts();
    }

    @AfterAll
    static void stop() throws Exception {
        anthropic.close();
        gw.close();
    }

    private static Account vertex(String name, KeyPair keys) {
        return cloud.vertex(name, keys);
    }

    @Test
    void theAnthropicSdkStreamsThroughAVertexAccountWithAnExchangedToken() throws Exception {
        Account a = vertex("vertex-1", cloud.accepted);
        int issuedBefore = gw.mock.cloud().issuedTokens();
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = anthropic
                .messages()
                .createStreaming(MessageCreateParams.builder()
                        .model("claude-sonnet-4-5")
                        .maxTokens(256)
                        .addUserMessage("hello")
                        .build())) {
            stream.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(gw.mock.awaitExchange(0, GatewayHarness.WAIT).scenario()).isEqualTo("vertex-token");
        RecordedExchange call = gw.mock.awaitCompleted(1, GatewayHarness.WAIT);
        assertThat(call.uri())
                .isEqualTo("/v1/projects/mock-project/locations/us-east5/publishers/anthropic/models/"
                        + "claude-sonnet-4-5%4020250929:streamRawPredict");
        ExchangeOutcome o = gw.nextOutcome();
        assertThat(o.usage().outputTokens()).isPositive();
        assertThat(o.costMicros())
                .as("priced at the catalogue's entry of the model Vertex ran")
                .isPositive()
                .isEqualTo(Catalogue.shipped().quote("claude-sonnet-4-5").costMicros(o.usage()));

        Message again = anthropic
                .messages()
                .create(MessageCreateParams.builder()
                        .model("claude-haiku-4-5")
                        .maxTokens(64)
                        .addUserMessage("again")
                        .build());
        assertThat(again.content()).isNotEmpty();
        assertThat(gw.mock.cloud().issuedTokens() - issuedBefore)
                .as("the stored token is used until it is due")
                .isEqualTo(1);
        Account stored = gw.store
                .accounts()
                .findById(a.id())
                .toCompletableFuture()
                .join()
                .orElseThrow();
        VertexCredentials v = VertexCredentials.parse(stored.credential());
        assertThat(v.expiresAt()).isAfter(Instant.now().plusSeconds(3000));
    }

    @Test
    void aRefusedServiceAccountIsNamedWithoutItsKey() throws Exception {
        Account a = vertex("vertex-refused", CloudFixture.rsa());
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("PRIVATE KEY");
        var condition = gw.store
                .state()
                .conditions(Instant.now())
                .toCompletableFuture()
                .join()
                .get(a.id());
        assertThat(condition).as("out of rotation until resumed").isNotNull();
        assertThat(condition.toString())
                .contains("service account " + CloudFixture.EMAIL)
                .contains("invalid_grant")
                .doesNotContain("PRIVATE");
    }

    /** A Vertex account behind {@code proxy}: its API on {@code localhost}, its token endpoint on {@code 127.0.0.1}. */
    private static Account proxied(String name, String proxy) {
        Account a = new Account(
                "acc_" + Ids.random(10),
                name,
                AccountKind.VERTEX,
                "http://localhost:" + gw.mock.port(),
                new VertexCredentials("mock-project", "us-east5", cloud.serviceAccount(cloud.accepted), null, null)
                        .encode(),
                proxy,
                Account.DEFAULT_PRIORITY,
                true,
                null,
                List.of(),
                Map.of(),
                Instant.now(),
                null,
                Map.of());
        return gw.store.accounts().create(a).toCompletableFuture().join();
    }

    private static void assertBothCallsTunnelledWithTheProxysCredentials(TestProxy proxy, String user, String pass) {
        assertThat(proxy.tunnels())
                .as("one tunnel to the token endpoint, one to the API, both with the account's proxy credentials")
                .hasSize(2)
                .allSatisfy(t -> {
                    assertThat(t.port()).isEqualTo(gw.mock.port());
                    assertThat(t.user()).isEqualTo(user);
                    assertThat(t.password()).isEqualTo(pass);
                });
        assertThat(proxy.tunnels())
                .extracting(TestProxy.Tunnel::host)
                .as("the token exchange (127.0.0.1) and the request (localhost)")
                .containsExactlyInAnyOrder("127.0.0.1", "localhost");
    }

    @Test
    void theTokenExchangeGoesThroughTheAccountsHttpProxyWithItsCredentials() throws Exception {
        try (HttpConnectProxy proxy = new HttpConnectProxy("relay", "vertex-http-pass")) {
            proxied("vertex-http-proxy", "http://relay:vertex-http-pass@127.0.0.1:" + proxy.port());
            int issuedBefore = gw.mock.cloud().issuedTokens();
            HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
            assertThat(r.statusCode())
                    .as(new String(r.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertThat(gw.mock.cloud().issuedTokens() - issuedBefore).isEqualTo(1);
            assertBothCallsTunnelledWithTheProxysCredentials(proxy, "relay", "vertex-http-pass");
        }
    }

    @Test
    void theTokenExchangeGoesThroughTheAccountsSocks5ProxyWithItsCredentials() throws Exception {
        try (Socks5Proxy proxy = new Socks5Proxy("relay", "vertex-s0cks-pass")) {
            proxied("vertex-socks-proxy", "socks5://relay:vertex-s0cks-pass@127.0.0.1:" + proxy.port());
            HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", true, "hi"));
            assertThat(r.statusCode())
                    .as(new String(r.body(), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            assertBothCallsTunnelledWithTheProxysCredentials(proxy, "relay", "vertex-s0cks-pass");
        }
    }

    @Test
    void aDeadProxyMeansNoTokenExchangeAroundIt() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        proxied("vertex-dead-proxy", "http://relay:dead-pass@127.0.0.1:" + closed);
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("claude-sonnet-4-5", false, "hi"));
        assertThat(r.statusCode()).isNotEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("dead-pass");
        assertThat(gw.mock.exchanges())
                .as("neither the token endpoint nor the API was reached")
                .isEmpty();
    }

    @Test
    void theModelListShowsTheModelsTheCatalogueMapsForVertex() {
        vertex("vertex-models", cloud.accepted);
        assertThat(anthropic.models().list().data().stream().map(m -> m.id()).toList())
                .isEqualTo(Catalogue.shipped().servedOn(ModelEntry.VERTEX).stream()
                        .map(ModelEntry::name)
                        .toList());
    }
}
