package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every error the gateway answers, in Anthropic's shape with the right status. */
class ErrorsIT {

    private static GatewayHarness gw;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.builder()
                .upstreamTimeouts(Duration.ofSeconds(2), Duration.ofMillis(800), Duration.ofMillis(600))
                .config(c -> c.withServer(new io.relaygate.core.config.ServerConfig(
                        "127.0.0.1",
                        0,
                        0,
                        64 * 1024,
                        64 * 1024,
                        32 * 1024,
                        128 * 1024,
                        Duration.ofMinutes(1),
                        java.util.List.of(),
                        false,
                        io.relaygate.core.config.ServerConfig.DEFAULT_DRAIN_TIMEOUT)))
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void reset() {
        gw.reset();
    }

    private JsonNode assertAnthropicError(HttpResponse<byte[]> r, int status, String type) throws IOException {
        assertThat(r.statusCode())
                .as(new String(r.body(), StandardCharsets.UTF_8))
                .isEqualTo(status);
        JsonNode n = json.readTree(r.body());
        assertThat(n.path("type").asText()).isEqualTo("error");
        assertThat(n.path("error").path("type").asText()).isEqualTo(type);
        assertThat(n.path("error").path("message").asText()).isNotBlank();
        return n;
    }

    @Test
    void unknownRouteIs404() throws Exception {
        JsonNode n = assertAnthropicError(gw.post("/v1/nothing", "{}"), 404, "not_found_error");
        assertThat(n.path("error").path("message").asText()).contains("/v1/nothing");
    }

    @Test
    void wrongMethodIs405InTheSameShape() throws Exception {
        assertAnthropicError(gw.get("/v1/messages"), 405, "invalid_request_error");
    }

    @Test
    void badJsonIs400AndTheConnectionStaysUsable() throws Exception {
        JsonNode n = assertAnthropicError(gw.post("/v1/messages", "{\"model\": \"x\", "), 400, "invalid_request_error");
        assertThat(n.path("error").path("message").asText()).containsIgnoringCase("json");
        assertAnthropicError(gw.post("/v1/messages", "[1,2]"), 400, "invalid_request_error");
        assertAnthropicError(gw.post("/v1/messages", "{\"max_tokens\":1}"), 400, "invalid_request_error");
        assertThat(gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "ok"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(gw.mock.exchanges())
                .as("bad requests never reach the upstream")
                .hasSize(1);
    }

    @Test
    void missingInvalidAndDisabledKeysAreRefused() throws Exception {
        String body = messages("claude-sonnet-4-5", false, "hi");
        assertAnthropicError(gw.post("/v1/messages", body, "x-api-key", ""), 401, "authentication_error");
        assertAnthropicError(
                gw.post("/v1/messages", body, "x-api-key", "rg_nope_abcdefghijabcdefghijabcdefghij12"),
                401,
                "authentication_error");
        assertAnthropicError(
                gw.post("/v1/messages", body, "authorization", "Bearer " + gw.key + "x"), 401, "authentication_error");

        ApiKeyService keys = new ApiKeyService(gw.store.keys());
        String disabled = keys.create("disabled-" + System.nanoTime(), KeyRules.NONE)
                .toCompletableFuture()
                .join()
                .secret();
        keys.disable(keys.list().toCompletableFuture().join().stream()
                        .filter(k -> disabled.startsWith(k.prefix()))
                        .findFirst()
                        .orElseThrow()
                        .name())
                .toCompletableFuture()
                .join();
        JsonNode n =
                assertAnthropicError(gw.post("/v1/messages", body, "x-api-key", disabled), 403, "permission_error");
        assertThat(n.toString()).as("the key never echoes back").doesNotContain(disabled);
        assertThat(gw.mock.exchanges()).isEmpty();
    }

    @Test
    void bodyOverTheLimitIs413WhetherDeclaredOrChunked() throws Exception {
        String big = messages("claude-sonnet-4-5", false, "x".repeat(100 * 1024));
        assertAnthropicError(gw.post("/v1/messages", big), 413, "request_too_large");

        // Chunked, so only the aggregator can notice.
        try (Socket s = new Socket("127.0.0.1", gw.server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + gw.key
                            + "\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[16 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'a');
            String response = "";
            try {
                for (int i = 0; i < 5; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException closedEarly) {
                // The gateway may close as soon as it answered 413.
            }
            response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 413").contains("request_too_large");
        }
        assertThat(gw.mock.exchanges()).isEmpty();
    }

    @Test
    void upstreamStatusesBecomeTheMatchingErrors() throws Exception {
        HttpResponse<byte[]> r429 = gw.post("/v1/messages", messages("claude-sonnet-4-5", false, "mock:error-429"));
        assertAnthropicError(r429, 429, "rate_limit_error");
        assertThat(r429.headers().firstValue("retry-after"))
                .as("retry-after passed on")
                .isPresent();
        // each of these takes the only account out of rotation (SchedulingIT tests that): put it back each time
        gw.clearAccountConditions();

        assertAnthropicError(gw.post("/v1/messages", messages("m", true, "mock:error-529")), 529, "overloaded_error");
        gw.clearAccountConditions();
        assertAnthropicError(gw.post("/v1/messages", messages("m", false, "mock:error-500")), 500, "api_error");

        gw.outcomes.clear();
        java.net.http.HttpResponse<byte[]> refused = gw.post("/v1/messages", messages("m", false, "mock:error-401"));
        JsonNode n = assertAnthropicError(refused, 502, "api_error");
        ExchangeOutcome o = gw.outcomeOf(refused);
        assertThat(o.status()).isEqualTo(502);
        assertThat(o.upstreamStatus())
                .as("the request log keeps what the upstream said")
                .isEqualTo(401);
        assertThat(n.path("error").path("message").asText())
                .as("the client's key is fine: the account's credentials were refused")
                .contains("upstream account credentials");
    }

    @Test
    void upstreamThatNeverAnswersIs504() throws Exception {
        assertAnthropicError(gw.post("/v1/messages", messages("m", true, "mock:hang")), 504, "timeout_error");
        assertThat(gw.mock.awaitCancelledStreams(1, GatewayHarness.WAIT))
                .as("the gateway hung up on the silent upstream")
                .isTrue();
    }

    @Test
    void upstreamResetMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/messages", messages("m", true, "mock:reset-mid-stream"));
        assertThat(r.statusCode()).isEqualTo(200);
        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(sse).contains("event: message_start");
        assertThat(sse.substring(sse.lastIndexOf("event: "))).startsWith("event: error\ndata: {\"type\":\"error\"");
    }

    @Test
    void upstreamSilentMidStreamEndsWithAnErrorEvent() throws Exception {
        HttpResponse<byte[]> r = gw.post(
                "/v1/messages", messages("m", true, "paced"), "x-mock-events", "3", "x-mock-event-interval-ms", "3000");
        String sse = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(sse).contains("event: message_start").endsWith("\n\n");
        assertThat(sse.substring(sse.lastIndexOf("event: "))).contains("timeout_error");
    }

    @Test
    void unreachableUpstreamIs502() throws Exception {
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0)) {
            closedPort = ss.getLocalPort();
        }
        try (GatewayHarness down = GatewayHarness.builder()
                .upstreamBaseUrl("http://127.0.0.1:" + closedPort)
                .start()) {
            HttpResponse<byte[]> r = down.post("/v1/messages", messages("m", false, "hi"));
            JsonNode n = assertAnthropicError(r, 502, "api_error");
            assertThat(n.path("error").path("message").asText())
                    .contains("unreachable")
                    .as("the client is not told where the account lives")
                    .doesNotContain("127.0.0.1")
                    .doesNotContain(Integer.toString(closedPort));
        }
    }

    @Test
    void healthNeedsNoKey() throws Exception {
        try (Socket s = new Socket("127.0.0.1", gw.server.port())) {
            s.getOutputStream()
                    .write("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        }
    }
}
