package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.upstream.UpstreamRequests;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code codex-oauth} (ChatGPT sign-in) account: the Codex backend's path below the account's base URL, the
 * ChatGPT account id taken from the access token, Codex's own requests passed through, and other clients' requests
 * converted under the backend's rules (always streamed, collected into a whole answer when the client asked for one).
 */
class CodexAccountIT {

    private static final Set<String> NOT_SETTABLE = Set.of("connection", "host", "content-length", "expect", "upgrade");

    private static GatewayHarness gw;
    private static String token;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        token = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"user-1\",\"https://api.openai.com/auth\":"
                                + "{\"chatgpt_account_id\":\"acct-7f3e\",\"chatgpt_plan_type\":\"plus\"}}")
                        .getBytes(StandardCharsets.UTF_8))
                + ".c2lnbmF0dXJl";
        gw.addAccount("chatgpt", AccountKind.CODEX_OAUTH, gw.mock.baseUrl() + "/backend-api/codex", token, 1);
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void reset() {
        gw.reset();
        gw.outcomes.clear();
    }

    @Test
    void codexTrafficGoesToTheBackendPathWithTheAccountId() throws Exception {
        JsonNode capture = json.readTree(Fixtures.clientsDir()
                        .resolve("codex-0.169.0_exec_responses_gpt-5.5.json")
                        .toFile())
                .path("request");
        byte[] body = json.writeValueAsBytes(capture.path("body"));
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/openai/v1/responses"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(GatewayHarness.WAIT);
        for (JsonNode h : capture.path("headers")) {
            String lower = h.get(0).asText().toLowerCase(Locale.ROOT);
            if (!NOT_SETTABLE.contains(lower) && !lower.equals("authorization")) {
                r.header(h.get(0).asText(), h.get(1).asText());
            }
        }
        r.header("authorization", "Bearer " + gw.key);
        HttpResponse<byte[]> response = gw.http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo("/backend-api/codex/responses");
        assertThat(ex.body()).as("Codex's own request, byte for byte").isEqualTo(body);
        assertThat(ex.header("authorization")).isEqualTo("Bearer " + token);
        assertThat(ex.header("chatgpt-account-id")).isEqualTo("acct-7f3e");
        assertThat(ex.header("originator")).as("the client's own originator").isEqualTo("codex_exec");
        assertThat(response.body()).as("relayed as sent").isEqualTo(ex.responseBody());
        ExchangeOutcome o = gw.outcomeOf(response);
        assertThat(o.client()).isEqualTo(ClientKind.CODEX);
        assertThat(o.usage().outputTokens()).isPositive();
    }

    @Test
    void aWholeAnswerForAnotherClientIsCollectedFromTheBackendsStream() throws Exception {
        HttpResponse<byte[]> r = gw.post(
                "/v1/messages",
                "{\"model\":\"gpt-5.5\",\"max_tokens\":300,\"temperature\":0.2,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        assertThat(r.statusCode())
                .as("body: %s", new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        JsonNode message = json.readTree(r.body());
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("content").get(0).path("text").asText()).startsWith("Hello from the mock upstream");
        assertThat(message.path("usage").path("output_tokens").asLong()).isPositive();

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo("/backend-api/codex/responses");
        JsonNode sent = json.readTree(ex.body());
        assertThat(sent.path("stream").asBoolean())
                .as("the backend only streams")
                .isTrue();
        assertThat(sent.path("store").asBoolean(true)).isFalse();
        assertThat(sent.path("instructions").asText()).isNotEmpty();
        assertThat(sent.has("max_output_tokens")).isFalse();
        assertThat(sent.has("temperature")).isFalse();
        assertThat(ex.header("originator")).isEqualTo(UpstreamRequests.CODEX_ORIGINATOR);
        assertThat(gw.outcomeOf(r).usage().outputTokens())
                .isEqualTo(message.path("usage").path("output_tokens").asLong());
    }

    @Test
    void aStreamForAnotherClientIsTranscoded() throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", GatewayHarness.messages("gpt-5.5", true, "hello"));
        assertThat(r.statusCode()).isEqualTo(200);
        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(sse).startsWith("event: message_start").contains("event: message_stop");
        assertThat(gw.mock.awaitCompleted(0, GatewayHarness.WAIT).header("chatgpt-account-id"))
                .isEqualTo("acct-7f3e");
    }
}
