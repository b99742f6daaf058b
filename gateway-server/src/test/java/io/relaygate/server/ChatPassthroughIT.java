package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.server.exchange.ExchangeOutcome;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OpenAI Chat requests on an OpenAI-compatible account are the same format on both sides: relayed untouched, with
 * errors in OpenAI's shape. (Conversion to and from Anthropic accounts is its own piece.)
 */
class ChatPassthroughIT {

    private static GatewayHarness gw;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        gw.addAccount(
                "mock-openai",
                AccountKind.OPENAI_COMPATIBLE,
                gw.mock.baseUrl() + "/v1",
                "sk-openai-upstream",
                Account.DEFAULT_PRIORITY);
    }

    @AfterAll
    static void stop() throws Exception {
        gw.close();
    }

    @BeforeEach
    void reset() {
        gw.reset();
    }

    private static String chat(boolean stream, String text) {
        return "{\"model\":\"gpt-4o-mini\",\"stream\":" + stream + ",\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Test
    void streamIsRelayedByteForByteUnderBothPaths() throws Exception {
        for (String path : new String[] {"/v1/chat/completions", "/openai/v1/chat/completions"}) {
            gw.reset();
            HttpResponse<byte[]> r = gw.post(path, chat(true, "mock:tool_use"), "authorization", "Bearer " + gw.key);
            RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(ex.uri()).isEqualTo("/v1/chat/completions");
            assertThat(ex.header("authorization")).isEqualTo("Bearer sk-openai-upstream");
            assertThat(new String(r.body(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(ex.responseBody(), StandardCharsets.UTF_8))
                    .endsWith("data: [DONE]\n\n");
            ExchangeOutcome o = gw.outcomeOf(r);
            String body = chat(true, "mock:tool_use");
            assertThat(o.usage().inputTokens())
                    .as("prompt tokens from the usage chunk")
                    .isEqualTo(body.length() / 4);
            assertThat(o.usage().outputTokens())
                    .as("one per content/argument fragment")
                    .isEqualTo(6);
            assertThat(o.account()).isEqualTo("mock-openai");
        }
    }

    @Test
    void wholeCompletionUsageIsTapped() throws Exception {
        String body = chat(false, "hello");
        HttpResponse<byte[]> r = gw.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        ExchangeOutcome o = gw.outcomeOf(r);
        assertThat(o.usage().inputTokens()).isEqualTo(body.length() / 4);
        assertThat(o.usage().outputTokens()).isEqualTo(5);
    }

    @Test
    void upstreamErrorsAndGatewayErrorsAreInOpenAisShape() throws Exception {
        HttpResponse<byte[]> r = gw.post("/v1/chat/completions", chat(false, "mock:error-429"));
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(json.readTree(r.body()).path("error").path("type").asText()).isEqualTo("rate_limit_exceeded");

        HttpResponse<byte[]> bad = gw.post("/openai/v1/chat/completions", "{\"model\":");
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonNode e = json.readTree(bad.body()).path("error");
        assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.has("code")).isTrue();

        HttpResponse<byte[]> noKey =
                gw.post("/openai/v1/chat/completions", chat(false, "hi"), "authorization", "Bearer nope");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json.readTree(noKey.body()).path("error").path("message").asText())
                .contains("API key");
    }
}
