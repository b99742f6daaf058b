package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.RateLimitException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.bench.mock.RecordedExchange;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.Ids;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anthropic clients on an OpenAI-compatible account: requests converted to Chat Completions, answers converted back,
 * streaming included, with Claude Code's model tiers mapped to the account's models.
 */
class ConversionIT {

    private static GatewayHarness gw;
    private static AnthropicClient client;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        Account openai = new Account(
                "acc_" + Ids.random(10),
                "mock-openai-compatible",
                AccountKind.OPENAI_COMPATIBLE,
                gw.mock.baseUrl() + "/v1",
                "sk-compatible",
                null,
                1,
                true,
                null,
                List.of(),
                Map.of("haiku", "small-model", "sonnet", "middle-model", "opus", "big-model"),
                Instant.now(),
                null,
                Map.of());
        gw.store.accounts().create(openai).toCompletableFuture().join();
        client = AnthropicOkHttpClient.builder()
                .baseUrl(gw.baseUrl())
                .apiKey(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        gw.close();
    }

    @BeforeEach
    void reset() {
        gw.reset();
    }

    private static MessageCreateParams params(String model, String text) {
        return MessageCreateParams.builder()
                .model(model)
                .maxTokens(512)
                .addUserMessage(text)
                .build();
    }

    private Message stream(MessageCreateParams p) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(p)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    @Test
    void streamedTextArrivesAsAnthropicEventsUnderTheRequestedModel() throws Exception {
        Message m = stream(params("claude-sonnet-4-5", "hello"));
        assertThat(m.model().asString()).as("the client keeps its model name").isEqualTo("claude-sonnet-4-5");
        assertThat(m.content().get(0).asText().text()).startsWith("Hello from the mock upstream");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo("/v1/chat/completions");
        assertThat(ex.header("authorization")).isEqualTo("Bearer sk-compatible");
        assertThat(ex.header("anthropic-version"))
                .as("Anthropic headers stay home")
                .isNull();
        JsonNode sent = json.readTree(ex.body());
        assertThat(sent.path("model").asText())
                .as("sonnet tier -> middle model")
                .isEqualTo("middle-model");
        assertThat(sent.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
        assertThat(m.usage().inputTokens())
                .as("prompt tokens from the usage chunk")
                .isEqualTo(ex.body().length / 4);
        assertThat(m.usage().outputTokens()).isEqualTo(5);
    }

    @Test
    void streamedToolCallsBecomeToolUseBlocksWithParsedInput() {
        Message m = stream(params("claude-opus-4-1", "mock:tool_use"));
        List<ContentBlock> tools =
                m.content().stream().filter(ContentBlock::isToolUse).toList();
        assertThat(tools).hasSize(2);
        assertThat(tools.get(0).asToolUse().name()).isEqualTo("Read");
        assertThat(tools.get(0).asToolUse()._input().toString()).contains("/tmp/relaygate/a.txt");
        assertThat(tools.get(1).asToolUse().name()).isEqualTo("Bash");
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
    }

    @Test
    void reasoningBecomesThinkingAndNonStreamingAnswersAreMappedWhole() throws Exception {
        Message thinking = stream(params("claude-haiku-4-5", "mock:thinking"));
        assertThat(thinking.content().get(0).isThinking()).isTrue();
        assertThat(json.readTree(gw.mock.awaitCompleted(0, GatewayHarness.WAIT).body())
                        .path("model")
                        .asText())
                .isEqualTo("small-model");

        Message whole = client.messages().create(params("claude-opus-4-1", "mock:tool_use"));
        assertThat(whole.content().stream().filter(ContentBlock::isToolUse).count())
                .isEqualTo(2);
        assertThat(whole.stopReason()).contains(StopReason.TOOL_USE);
        assertThat(whole.model().asString()).isEqualTo("claude-opus-4-1");
    }

    @Test
    void upstreamErrorsComeBackInAnthropicsShape() {
        assertThatThrownBy(() -> client.messages().create(params("claude-sonnet-4-5", "mock:error-429")))
                .isInstanceOf(RateLimitException.class);
    }

    @Test
    void everyCapturedClaudeCodeRequestGetsAWellFormedAnthropicStream() throws Exception {
        int checked = 0;
        for (Path capture : Fixtures.files("claude-code-2.1.330", ".json")) {
            JsonNode request = json.readTree(capture.toFile()).path("request");
            if (!request.path("body").isObject()
                    || !request.path("body").path("stream").asBoolean()) {
                continue;
            }
            HttpResponse<String> r = gw.http.send(
                    HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/api/v1/messages?beta=true"))
                            .header("x-api-key", gw.key)
                            .header("content-type", "application/json")
                            .header("anthropic-version", "2023-06-01")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(request.path("body"))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String what = capture.getFileName().toString();
            assertThat(r.statusCode()).as("%s: %s", what, r.body()).isEqualTo(200);
            String[] events = r.body().split("\n\n");
            assertThat(events[0]).as(what).startsWith("event: message_start");
            assertThat(events[events.length - 1]).as(what).startsWith("event: message_stop");
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(10);
    }

    @Test
    void countTokensIsAnsweredWithOpenAisTokenizerForChatAccounts() throws Exception {
        String body =
                "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}";
        HttpResponse<byte[]> r = gw.post("/v1/messages/count_tokens", body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json.readTree(r.body()).path("input_tokens").asLong())
                .as("3 + 3 + 2 o200k tokens")
                .isEqualTo(8);
        assertThat(gw.mock.exchanges()).as("answered by the gateway").isEmpty();
    }
}
