package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Route;
import io.relaygate.server.exchange.ExchangeOutcome;
import io.relaygate.server.pipeline.ErrorResponder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnthropicRelayIT {

    private static GatewayHarness gw;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
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
    void nonStreamingAnswerIsRelayedByteForByteWithUsageTapped() throws Exception {
        String body = messages("claude-sonnet-4-5", false, "hello");
        HttpResponse<byte[]> r = gw.post("/v1/messages", body);

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).as("JSON relayed as is").isEqualTo(ex.responseBody());
        assertThat(ex.body()).as("request body forwarded untouched").isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.headers().firstValue(ErrorResponder.REQUEST_ID_HEADER)).isPresent();

        JsonNode answer = json.readTree(r.body());
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
        assertThat(o.usage().inputTokens())
                .as("usage tapped from the JSON body")
                .isEqualTo(answer.path("usage").path("input_tokens").asLong())
                .isEqualTo(Math.max(1, body.length() / 4));
        assertThat(o.usage().outputTokens())
                .isEqualTo(answer.path("usage").path("output_tokens").asLong());
        assertThat(o.account()).isEqualTo("mock-anthropic");
        assertThat(o.route()).isEqualTo(Route.MESSAGES);
        assertThat(o.client()).as("java.net.http is no coding client").isEqualTo(io.relaygate.core.ClientKind.OTHER);
    }

    @Test
    void streamIsRelayedWithTheSameSseBytesTheMockSent() throws Exception {
        String body = messages("claude-opus-4-1", true, "stream please");
        HttpResponse<byte[]> r = gw.post("/v1/messages", body, "x-mock-events", "12");

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        assertThat(new String(r.body(), StandardCharsets.UTF_8))
                .as("SSE bytes identical to what the mock sent")
                .isEqualTo(new String(ex.responseBody(), StandardCharsets.UTF_8));

        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.usage().inputTokens()).isEqualTo(Math.max(1, body.length() / 4));
        assertThat(o.usage().outputTokens())
                .as("one output token per delta event")
                .isEqualTo(12);
        assertThat(o.firstByteMillis()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void prefixesAndQueryStringsReachTheUpstreamAsTheCanonicalPath() throws Exception {
        for (String path : new String[] {"/api/v1/messages?beta=true", "/claude/v1/messages?beta=true"}) {
            gw.reset();
            HttpResponse<byte[]> r = gw.post(path, messages("claude-haiku-4-5", false, "hi"));
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(gw.mock.awaitExchange(0, GatewayHarness.WAIT).uri()).isEqualTo("/v1/messages?beta=true");
        }
    }

    @Test
    void upstreamGetsTheAccountCredentialAndNeverTheGatewayKey() throws Exception {
        HttpResponse<byte[]> r = gw.post(
                "/v1/messages",
                messages("claude-sonnet-4-5", false, "hi"),
                "authorization",
                "Bearer " + gw.key,
                "anthropic-version",
                "2023-06-01",
                "anthropic-beta",
                "interleaved-thinking-2025-05-14");
        assertThat(r.statusCode()).as("Bearer works as well as x-api-key").isEqualTo(200);
        RecordedExchange ex = gw.mock.awaitExchange(0, GatewayHarness.WAIT);
        assertThat(ex.header("x-api-key")).isEqualTo(GatewayHarness.UPSTREAM_KEY);
        assertThat(ex.header("authorization")).isNull();
        assertThat(ex.header("anthropic-beta")).isEqualTo("interleaved-thinking-2025-05-14");
        assertThat(ex.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(ex.header("accept-encoding"))
                .as("identity, so usage can be tapped")
                .isEqualTo("identity");
        assertThat(ex.headers().toString()).doesNotContain(gw.key);
    }

    @Test
    void countTokensAndModelsAreRelayed() throws Exception {
        String body = "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}";
        HttpResponse<byte[]> count = gw.post("/v1/messages/count_tokens", body);
        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(json.readTree(count.body()).path("input_tokens").asLong()).isEqualTo(Math.max(1, body.length() / 4));
        assertThat(gw.mock.awaitExchange(0, GatewayHarness.WAIT).uri()).isEqualTo("/v1/messages/count_tokens");

        HttpResponse<byte[]> models = gw.get("/api/v1/models", "anthropic-version", "2023-06-01");
        assertThat(models.statusCode()).isEqualTo(200);
        JsonNode anthropicShape = json.readTree(models.body());
        assertThat(anthropicShape.path("data").get(0).path("type").asText()).isEqualTo("model");
        assertThat(anthropicShape.has("has_more")).isTrue();
        assertThat(gw.mock.awaitExchange(1, GatewayHarness.WAIT).method()).isEqualTo("GET");

        // An OpenAI-style caller (no anthropic-version, or under /openai) gets OpenAI's list shape.
        for (String path : new String[] {"/v1/models", "/openai/v1/models"}) {
            JsonNode openAiShape = json.readTree(gw.get(path).body());
            assertThat(openAiShape.path("object").asText()).as(path).isEqualTo("list");
            assertThat(openAiShape.path("data").get(0).path("object").asText()).isEqualTo("model");
            assertThat(openAiShape.path("data").get(0).path("id").asText()).startsWith("claude-");
        }
    }

    @Test
    void toolUseAndThinkingStreamsPassThroughIntact() throws Exception {
        for (String scenario : new String[] {"tool_use", "thinking"}) {
            gw.reset();
            HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-opus-4-1", true, "mock:" + scenario));
            RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
            assertThat(ex.scenario()).isEqualTo(scenario);
            assertThat(r.body()).as(scenario).isEqualTo(ex.responseBody());
        }
    }

    @Test
    void keepAliveConnectionsServeManyRequestsInARow() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<byte[]> r = gw.post("/v1/messages", messages("claude-sonnet-4-5", i % 2 == 0, "n" + i));
            assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
        }
        assertThat(gw.mock.exchanges()).hasSize(20);
    }
}
