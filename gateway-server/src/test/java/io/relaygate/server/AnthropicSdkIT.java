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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official Anthropic Java SDK, pointed at the gateway, parses everything it relays. */
class AnthropicSdkIT {

    private static GatewayHarness gw;
    private static AnthropicClient client;
    private static AnthropicClient bearerClient;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayHarness.start();
        client = AnthropicOkHttpClient.builder()
                .baseUrl(gw.baseUrl())
                .apiKey(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
        bearerClient = AnthropicOkHttpClient.builder()
                .baseUrl(gw.baseUrl() + "/api")
                .authToken(gw.key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    @org.junit.jupiter.api.BeforeEach
    void reset() {
        gw.reset();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        bearerClient.close();
        gw.close();
    }

    private static MessageCreateParams params(String text) {
        return MessageCreateParams.builder()
                .model("claude-sonnet-4-5")
                .maxTokens(512)
                .addUserMessage(text)
                .build();
    }

    @Test
    void nonStreamingMessage() {
        Message m = client.messages().create(params("hello"));
        assertThat(m.content()).isNotEmpty();
        assertThat(m.content().get(0).text()).isPresent();
        assertThat(m.usage().inputTokens()).isPositive();
        assertThat(m.model().asString()).isEqualTo("claude-sonnet-4-5");
    }

    @Test
    void streamingTextWithBearerAuthAndPrefix() {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream =
                bearerClient.messages().createStreaming(params("hello"))) {
            stream.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.content()).hasSize(1);
        assertThat(m.content().get(0).asText().text()).isNotBlank();
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().outputTokens()).isEqualTo(5);
    }

    @Test
    void streamingToolUseArrivesAsParsedToolCalls() {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream =
                client.messages().createStreaming(params("use tools mock:tool_use"))) {
            stream.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        List<ContentBlock> tools =
                m.content().stream().filter(ContentBlock::isToolUse).toList();
        assertThat(tools).as("two parallel tool calls").hasSize(2);
        assertThat(tools.get(0).asToolUse().id()).startsWith("toolu_");
        assertThat(tools.get(0).asToolUse()._input().isMissing()).isFalse();
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
    }

    @Test
    void streamingThinking() {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream =
                client.messages().createStreaming(params("think mock:thinking"))) {
            stream.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.content().get(0).isThinking()).isTrue();
        assertThat(m.content().get(0).asThinking().signature()).isNotBlank();
    }

    @Test
    void upstreamRateLimitSurfacesAsTheSdksRateLimitError() {
        assertThatThrownBy(() -> client.messages().create(params("mock:error-429")))
                .isInstanceOf(RateLimitException.class);
    }
}
