package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.VertexCredentials;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
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

    private static final String EMAIL = "relaygate@mock-project.iam.gserviceaccount.com";

    private static GatewayHarness gw;
    private static AnthropicClient anthropic;
    private static KeyPair accepted;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        accepted = g.generateKeyPair();
        gw.mock.cloud().vertexServiceAccount(EMAIL, accepted.getPublic());
        anthropic = AnthropicOkHttpClient.builder()
                .baseUrl(gw.baseUrl())
                .apiKey(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @BeforeEach
    void onlyVertex() {
        gw.reset();
        gw.outcomes.clear();
        for (Account a : gw.store.accounts().list().toCompletableFuture().join()) {
            gw.store
                    .accounts()
                    .update(a.withSchedulable(false))
                    .toCompletableFuture()
                    .join();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        anthropic.close();
        gw.close();
    }

    private static String serviceAccount(KeyPair keys) throws Exception {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return new ObjectMapper()
                .createObjectNode()
                .put("type", "service_account")
                .put("project_id", "mock-project")
                .put("private_key_id", "k1")
                .put("private_key", pem)
                .put("client_email", EMAIL)
                .put("client_id", "1234567890")
                .put("token_uri", gw.mock.baseUrl() + "/token")
                .toString();
    }

    private static Account vertex(String name, KeyPair keys) throws Exception {
        String sa = serviceAccount(keys);
        SuiteSecretScan.secret(Base64.getEncoder()
                .encodeToString(keys.getPrivate().getEncoded())
                .substring(64, 128));
        return gw.addAccount(
                name,
                AccountKind.VERTEX,
                gw.mock.baseUrl(),
                new VertexCredentials("mock-project", "us-east5", sa, null, null).encode(),
                Account.DEFAULT_PRIORITY);
    }

    @Test
    void theAnthropicSdkStreamsThroughAVertexAccountWithAnExchangedToken() throws Exception {
        Account a = vertex("vertex-1", accepted);
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
        assertThat(o.costMicros()).isPositive();

        Message again = anthropic
                .messages()
                .create(MessageCreateParams.builder()
                        .model("claude-haiku-4-5")
                        .maxTokens(64)
                        .addUserMessage("again")
                        .build());
        assertThat(again.content()).isNotEmpty();
        assertThat(gw.mock.cloud().issuedTokens())
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
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair other = g.generateKeyPair();
        Account a = vertex("vertex-refused", other);
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
                .contains("service account " + EMAIL)
                .contains("invalid_grant")
                .doesNotContain("PRIVATE");
    }
}
