package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.relaygate.bench.mock.RecordedExchange;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK speaking Chat Completions to the gateway, served by a Claude (Anthropic) account. */
class OpenAiSdkIT {

    private static GatewayHarness gw;
    private static OpenAIClient client;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        client = OpenAIOkHttpClient.builder()
                .baseUrl(gw.baseUrl() + "/openai/v1")
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

    private static ChatCompletionCreateParams params(String text, boolean usage) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder()
                .model("claude-sonnet-4-5")
                .maxCompletionTokens(300)
                .addSystemMessage("be brief")
                .addUserMessage(text);
        if (usage) {
            b.streamOptions(
                    ChatCompletionStreamOptions.builder().includeUsage(true).build());
        }
        return b.build();
    }

    @Test
    void nonStreamingCompletionFromAClaudeAccount() throws Exception {
        ChatCompletion c = client.chat().completions().create(params("hello", false));
        assertThat(c.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).startsWith("Hello from the mock upstream"));
        assertThat(c.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(c.usage())
                .hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(5));

        RecordedExchange ex = gw.mock.awaitCompleted(0, GatewayHarness.WAIT);
        assertThat(ex.uri()).isEqualTo("/v1/messages");
        assertThat(ex.header("x-api-key")).isEqualTo(GatewayHarness.UPSTREAM_KEY);
        assertThat(ex.header("anthropic-version")).isNotNull();
        JsonNode sent = json.readTree(ex.body());
        assertThat(sent.path("system").asText()).isEqualTo("be brief");
        assertThat(sent.path("max_tokens").asLong()).isEqualTo(300);
    }

    @Test
    void streamingToolCallsParseWithDenseIndicesAndUsage() {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s =
                client.chat().completions().createStreaming(params("mock:tool_use", true))) {
            s.stream().forEach(acc::accumulate);
        }
        ChatCompletion c = acc.chatCompletion();
        List<ChatCompletionMessageToolCall> calls =
                c.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        ChatCompletionMessageFunctionToolCall first = calls.get(0).asFunction();
        assertThat(first.function().name()).isEqualTo("Read");
        assertThat(first.function().arguments()).contains("/tmp/relaygate/a.txt");
        assertThat(calls.get(1).asFunction().function().name()).isEqualTo("Bash");
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(c.usage())
                .hasValueSatisfying(u -> assertThat(u.promptTokens()).isPositive());
    }

    @Test
    void streamingTextAndThinking() {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s =
                client.chat().completions().createStreaming(params("mock:thinking", false))) {
            s.stream().forEach(acc::accumulate);
        }
        ChatCompletion c = acc.chatCompletion();
        assertThat(c.choices().get(0).message().content())
                .hasValueSatisfying(t -> assertThat(t).startsWith("Hello"));
        assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void upstreamRateLimitIsTheSdksRateLimitError() {
        assertThatThrownBy(() -> client.chat().completions().create(params("mock:error-429", false)))
                .isInstanceOf(RateLimitException.class);
    }

    @Test
    void modelsListInOpenAisShape() {
        List<String> ids = client.models().list().data().stream()
                .map(com.openai.models.models.Model::id)
                .toList();
        assertThat(ids).contains("claude-sonnet-4-5");
    }
}
