package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.codec.client.ClaudeCodeAdaptation;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.KeyRules;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.upstream.UpstreamRequests;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client identification on the real server: the key rule "allowed clients" against captured requests and their
 * look-alikes, the Claude Code adaptation on subscription accounts, Codex's WebSocket probe, and stream keep-alives.
 */
class ClientsIT {

    private static final Set<String> NOT_SETTABLE = Set.of("connection", "host", "content-length", "expect", "upgrade");

    private static GatewayHarness gw;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.builder()
                .config(c -> c.withUpstream(c.upstream().withStreamKeepAlive(Duration.ofMillis(200))))
                .start();
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

    /** Replays a captured request's headers and body with {@code key}, replacing or dropping headers as asked. */
    private HttpResponse<byte[]> replay(Path capture, String key, String userAgent, byte[] bodyOverride)
            throws Exception {
        return replay(gw, capture, key, userAgent, bodyOverride);
    }

    private HttpResponse<byte[]> replay(
            GatewayHarness gw, Path capture, String key, String userAgent, byte[] bodyOverride) throws Exception {
        JsonNode request = json.readTree(capture.toFile()).path("request");
        byte[] body = bodyOverride != null ? bodyOverride : json.writeValueAsBytes(request.path("body"));
        String path = request.path("raw_path").asText();
        String prefix = path.startsWith("/v1/responses") ? "/openai" : "/api";
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + prefix + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(GatewayHarness.WAIT);
        for (JsonNode h : request.path("headers")) {
            String name = h.get(0).asText();
            String lower = name.toLowerCase(Locale.ROOT);
            if (NOT_SETTABLE.contains(lower) || lower.equals("x-api-key") || lower.equals("authorization")) {
                continue;
            }
            if (lower.equals("user-agent") && userAgent != null) {
                r.header(name, userAgent);
            } else {
                r.header(name, h.get(1).asText());
            }
        }
        r.header("authorization", "Bearer " + key);
        return gw.http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private byte[] withoutSystemPrompt(Path capture) throws Exception {
        ObjectNode body =
                (ObjectNode) json.readTree(capture.toFile()).path("request").path("body");
        body.remove("system");
        if (body.has("input")) {
            ArrayNode kept = json.createArrayNode();
            for (JsonNode item : body.path("input")) {
                if (!"developer".equals(item.path("role").asText())) {
                    kept.add(item);
                }
            }
            body.set("input", kept);
        }
        return json.writeValueAsBytes(body);
    }

    private static KeyRules onlyFrom(ClientKind client) {
        return new KeyRules(
                null, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(client), null, null, null);
    }

    @Test
    void aClaudeCodeOnlyKeyServesClaudeCodeAndRefusesItsLookAlikes() throws Exception {
        String key = gw.keyWith(onlyFrom(ClientKind.CLAUDE_CODE));
        Path capture = Fixtures.clientsDir().resolve("claude-code-2.1.330_print_stream_apikey.json");

        HttpResponse<byte[]> real = replay(capture, key, null, null);
        assertThat(real.statusCode()).isEqualTo(200);
        assertThat(gw.outcomeOf(real).client()).isEqualTo(ClientKind.CLAUDE_CODE);

        HttpResponse<byte[]> browser = replay(capture, key, "Mozilla/5.0 (X11; Linux x86_64)", null);
        assertThat(browser.statusCode())
                .as("Claude Code's prompts under a browser's user agent")
                .isEqualTo(403);
        assertThat(new String(browser.body(), StandardCharsets.UTF_8))
                .contains("permission_error")
                .contains("this request came from other");

        HttpResponse<byte[]> uaOnly = replay(capture, key, null, withoutSystemPrompt(capture));
        assertThat(uaOnly.statusCode())
                .as("Claude Code's user agent without its prompts")
                .isEqualTo(403);
    }

    @Test
    void aCodexOnlyKeyServesCodexAndRefusesItsLookAlikes() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            codexOnlyKey(gw);
        }
    }

    private void codexOnlyKey(GatewayHarness gw) throws Exception {
        gw.addAccount("mock-openai", AccountKind.OPENAI_API, gw.mock.baseUrl(), "sk-openai", 1);
        String key = gw.keyWith(onlyFrom(ClientKind.CODEX));
        Path capture = Fixtures.clientsDir().resolve("codex-0.169.0_exec_responses_gpt-5.5.json");

        HttpResponse<byte[]> real = replay(gw, capture, key, null, null);
        assertThat(real.statusCode())
                .as("body: %s", new String(real.body(), StandardCharsets.UTF_8))
                .isEqualTo(200);
        ExchangeOutcome o = gw.outcomeOf(real);
        assertThat(o.client()).isEqualTo(ClientKind.CODEX);
        assertThat(o.clientVersion()).isEqualTo("0.169.0");

        assertThat(replay(gw, capture, key, "Mozilla/5.0", null).statusCode()).isEqualTo(403);
        HttpResponse<byte[]> noPrompt = replay(gw, capture, key, null, withoutSystemPrompt(capture));
        assertThat(noPrompt.statusCode()).isEqualTo(403);
        assertThat(new String(noPrompt.body(), StandardCharsets.UTF_8))
                .as("refused in the Responses client's own error shape")
                .contains("\"error\":{\"message\":");
    }

    @Test
    void otherClientsOnASubscriptionAccountGetClaudeCodesIdentityFirst() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            subscription(gw);
        }
    }

    private void subscription(GatewayHarness gw) throws Exception {
        gw.addAccount("mock-subscription", AccountKind.CLAUDE_OAUTH, gw.mock.baseUrl(), "sk-ant-oat01-token", 1);
        HttpResponse<byte[]> sdk = gw.post(
                "/v1/messages",
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"system\":\"Answer in French.\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
                "user-agent",
                "AnthropicJava/3.12.0");
        assertThat(sdk.statusCode()).isEqualTo(200);
        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.header("authorization")).isEqualTo("Bearer sk-ant-oat01-token");
        assertThat(ex.header("anthropic-beta")).contains(UpstreamRequests.OAUTH_BETA);
        JsonNode system = json.readTree(ex.body()).path("system");
        assertThat(system.get(0).path("text").asText()).isEqualTo(ClaudeCodeAdaptation.SYSTEM_PROMPT);
        assertThat(system.get(1).path("text").asText()).isEqualTo("Answer in French.");
        assertThat(ex.header("user-agent"))
                .as("Claude Code's headers (defaults: none seen on this account yet)")
                .isEqualTo("claude-cli/2.1.330 (external, cli)");
        assertThat(ex.header("x-app")).isEqualTo("cli");
        assertThat(ex.header("anthropic-beta")).contains("claude-code-20250219");

        // Claude Code itself is forwarded byte for byte.
        Path capture = Fixtures.clientsDir().resolve("claude-code-2.1.330_print_stream_apikey.json");
        HttpResponse<byte[]> cc = replay(gw, capture, gw.key, null, null);
        assertThat(cc.statusCode()).isEqualTo(200);
        assertThat(gw.mock.awaitCompleted(1, GatewayHarness.WAIT).body())
                .isEqualTo(json.writeValueAsBytes(
                        json.readTree(capture.toFile()).path("request").path("body")));

        // After real Claude Code traffic, other clients carry the headers it last sent on this account.
        HttpResponse<byte[]> after = gw.post(
                "/v1/messages",
                GatewayHarness.messages("claude-sonnet-4-5", false, "hello"),
                "user-agent",
                "python-httpx/0.28",
                "x-stainless-lang",
                "python");
        assertThat(after.statusCode()).isEqualTo(200);
        RecordedExchange third = gw.mock.awaitCompleted(2, GatewayHarness.WAIT);
        assertThat(third.header("user-agent")).isEqualTo("claude-cli/2.1.330 (external, sdk-cli)");
        assertThat(third.header("x-stainless-lang")).isEqualTo("js");
    }

    @Test
    void aWebSocketProbeOnTheResponsesRouteGets426InOpenAisShape() throws Exception {
        long before = gw.server.webSocketRefusals();
        // java.net.http cannot send an Upgrade header; a raw socket can.
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gw.server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("GET /v1/responses HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                                    + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "openai-beta: responses_websockets=2026-02-06\r\nAuthorization: Bearer "
                                    + gw.key + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[4096];
            int n = s.getInputStream().read(buf);
            String answer = new String(buf, 0, n, StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 426 ");
            assertThat(answer).contains("{\"error\":{\"message\":\"WebSocket mode is not supported");
        }
        assertThat(gw.server.webSocketRefusals()).isEqualTo(before + 1);
    }

    private static List<String> sseLines(byte[] body) {
        List<String> lines = new ArrayList<>();
        for (String l : new String(body, StandardCharsets.UTF_8).split("\n")) {
            lines.add(l);
        }
        return lines;
    }

    @Test
    void silentStreamsGetKeepAlivesBetweenEventsOnly() throws Exception {
        // Three deltas one second apart, keep-alives after 200 ms of silence.
        HttpResponse<byte[]> anthropic = gw.post(
                "/v1/messages",
                GatewayHarness.messages("claude-sonnet-4-5", true, "hello"),
                "x-mock-events",
                "3",
                "x-mock-event-interval-ms",
                "1000");
        assertThat(anthropic.statusCode()).isEqualTo(200);
        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        long upstreamPings = sseLines(ex.responseBody()).stream()
                .filter("event: ping"::equals)
                .count();
        long clientPings = sseLines(anthropic.body()).stream()
                .filter("event: ping"::equals)
                .count();
        assertThat(clientPings).as("pings the gateway added").isGreaterThan(upstreamPings);
        // Removing the added pings gives back exactly what the upstream sent: nothing was cut or interleaved.
        String ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n";
        String relayed = new String(anthropic.body(), StandardCharsets.UTF_8);
        String upstream = new String(ex.responseBody(), StandardCharsets.UTF_8);
        assertThat(relayed.replace(ping, "")).isEqualTo(upstream.replace(ping, ""));

        gw.reset();
        HttpResponse<byte[]> responses = gw.post(
                "/openai/v1/responses",
                "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"input\":\"hello\"}",
                "x-mock-events",
                "3",
                "x-mock-event-interval-ms",
                "1000");
        assertThat(responses.statusCode()).isEqualTo(200);
        assertThat(sseLines(responses.body()))
                .as("SSE comments for OpenAI clients")
                .contains(": keep-alive");
        assertThat(new String(responses.body(), StandardCharsets.UTF_8)).contains("response.completed");
    }
}
