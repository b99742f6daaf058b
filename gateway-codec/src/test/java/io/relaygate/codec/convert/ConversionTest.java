package io.relaygate.codec.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.codec.chat.AnthropicToChatStream;
import io.relaygate.codec.chat.ChatToAnthropicStream;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.chat.Transcripts;
import io.relaygate.codec.responses.inbound.AnthropicToResponsesStream;
import io.relaygate.codec.responses.inbound.ResponsesTools;
import io.relaygate.codec.responses.upstream.ResponsesToAnthropicStream;
import io.relaygate.codec.skim.RequestSkimmer;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ClientKind;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import io.relaygate.core.Route;
import io.relaygate.core.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConversionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT_REQUEST =
            "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String RESPONSES_REQUEST =
            "{\"model\":\"gpt-5.5\",\"stream\":true,\"input\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String ANTHROPIC_REQUEST =
            "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void eachRouteIsServedByItsOwnFormatFirst() {
        assertThat(Conversion.servingFormats(Route.RESPONSES)).first().isEqualTo(WireFormat.OPENAI_RESPONSES);
        assertThat(Conversion.servingFormats(Route.CHAT_COMPLETIONS)).first().isEqualTo(WireFormat.OPENAI_CHAT);
        assertThat(Conversion.servingFormats(Route.MODELS))
                .as("the Codex backend lists no models")
                .containsExactly(WireFormat.ANTHROPIC, WireFormat.OPENAI_CHAT);
    }

    @Test
    void onlyAnotherFormatOrAModelListInTheOtherShapeNeedsConverting() {
        assertThat(Conversion.needed(Route.MESSAGES, false, Accounts.of(AccountKind.ANTHROPIC_API)))
                .isFalse();
        assertThat(Conversion.needed(Route.MESSAGES, false, Accounts.of(AccountKind.OPENAI_COMPATIBLE)))
                .isTrue();
        assertThat(Conversion.needed(Route.MODELS, true, Accounts.of(AccountKind.ANTHROPIC_API)))
                .as("an OpenAI caller listing an Anthropic account's models")
                .isTrue();
        assertThat(Conversion.needed(Route.MODELS, true, Accounts.of(AccountKind.OPENAI_COMPATIBLE)))
                .isFalse();
        assertThat(Conversion.needed(Route.COUNT_TOKENS, false, Accounts.of(AccountKind.OPENAI_COMPATIBLE)))
                .as("answered by the gateway itself, not converted")
                .isFalse();
    }

    @Test
    void aChatRequestForAnAnthropicAccountIsMappedWithTheAccountsModel() throws IOException {
        Conversion c = prepare(
                Route.CHAT_COMPLETIONS,
                CHAT_REQUEST,
                Accounts.of(AccountKind.ANTHROPIC_API, Map.of("gpt-4o", "claude-sonnet-4-5")));

        assertThat(c.pathAndQuery()).isEqualTo("/v1/messages");
        assertThat(c.clientModel()).isEqualTo("gpt-4o");
        assertThat(c.upstreamModel()).isEqualTo("claude-sonnet-4-5");
        assertThat(c.clientFormat()).isEqualTo(WireFormat.OPENAI_CHAT);
        JsonNode body = body(c);
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(body.path("max_tokens").asInt()).as("Anthropic requires it").isPositive();
    }

    @Test
    void pathsFollowTheAccountKind() {
        assertThat(prepare(Route.MESSAGES, ANTHROPIC_REQUEST, Accounts.of(AccountKind.AZURE_OPENAI))
                        .pathAndQuery())
                .isEqualTo("/openai/deployments/claude-sonnet-4-5/chat/completions?api-version="
                        + Conversion.AZURE_API_VERSION);
        assertThat(prepare(Route.MESSAGES, ANTHROPIC_REQUEST, Accounts.of(AccountKind.CODEX_OAUTH))
                        .pathAndQuery())
                .as("below the Codex backend's base URL")
                .isEqualTo("/responses");
        assertThat(Conversion.responsesPath(Accounts.of(AccountKind.OPENAI_API)))
                .isEqualTo("/v1/responses");
        assertThat(Conversion.prepare(
                                Route.MODELS,
                                true,
                                skim("{}"),
                                ClientKind.OTHER,
                                Unpooled.EMPTY_BUFFER,
                                Accounts.of(AccountKind.ANTHROPIC_API))
                        .pathAndQuery())
                .isEqualTo("/v1/models");
    }

    @Test
    void aConvertedRequestsMaxTokensIsClampedToTheModelsMaxOutputFromTheCatalogue() throws IOException {
        String big = "{\"model\":\"claude-opus-5-5\",\"max_tokens\":900000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        JsonNode toClaude = body(prepare(Route.CHAT_COMPLETIONS, big, Accounts.of(AccountKind.ANTHROPIC_API)));
        assertThat(toClaude.path("max_tokens").asLong())
                .as("claude-opus-5-5 writes at most 128K tokens")
                .isEqualTo(128_000);
        String small = big.replace("900000", "1000");
        assertThat(body(prepare(Route.CHAT_COMPLETIONS, small, Accounts.of(AccountKind.ANTHROPIC_API)))
                        .path("max_tokens")
                        .asLong())
                .as("a budget under the limit is kept")
                .isEqualTo(1000);
    }

    @Test
    void aSubscriptionAccountGivesOtherClientsClaudeCodesPrompt() throws IOException {
        JsonNode other = body(prepare(Route.CHAT_COMPLETIONS, CHAT_REQUEST, Accounts.of(AccountKind.CLAUDE_OAUTH)));
        JsonNode api = body(prepare(Route.CHAT_COMPLETIONS, CHAT_REQUEST, Accounts.of(AccountKind.ANTHROPIC_API)));

        assertThat(other.path("system").toString()).contains("Claude Code");
        assertThat(api.path("system").toString()).doesNotContain("Claude Code");
    }

    @Test
    void aBodyThatIsNotAJsonObjectOrThatTheMapperRefusesIsAnInvalidRequest() {
        ByteBuf array = Unpooled.copiedBuffer("[1]", StandardCharsets.UTF_8);
        try {
            assertThatThrownBy(() -> Conversion.prepare(
                            Route.CHAT_COMPLETIONS,
                            false,
                            skim(CHAT_REQUEST),
                            ClientKind.OTHER,
                            array,
                            Accounts.of(AccountKind.ANTHROPIC_API)))
                    .isInstanceOfSatisfying(
                            GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST))
                    .hasMessageContaining("JSON object");
        } finally {
            array.release();
        }
        assertThatThrownBy(() -> prepare(
                        Route.MESSAGES, "{\"model\":\"m\",\"messages\":5}", Accounts.of(AccountKind.OPENAI_API)))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST));
    }

    @Test
    void chatToResponsesChainedOnEventsWritesWhatChainingOnBytesWrote() throws IOException {
        byte[] chat = golden("chat-stream.sse");
        Conversion c = prepare(Route.RESPONSES, RESPONSES_REQUEST, Accounts.of(AccountKind.OPENAI_COMPATIBLE));

        for (int split : new int[] {0, 1, chat.length / 2, chat.length}) {
            String events = normalized(transcode(chat, split, c::streamTranscoder));
            String bytes = normalized(transcode(
                    chat,
                    split,
                    sink -> byteChain(
                            s -> new ChatToAnthropicStream("gpt-5.5", new ToolNames(), new AnthropicEventWriter(s)),
                            new AnthropicToResponsesStream("gpt-5.5", new ResponsesTools(), sink))));
            assertThat(events).as("split at %d", split).isEqualTo(bytes).contains("response.completed");
        }
    }

    @Test
    void responsesToChatChainedOnEventsWritesWhatChainingOnBytesWrote() throws IOException {
        byte[] codex = ClientFixtures.read(ClientFixtures.dir().resolve("codex-0.169.0_text_stream.sse"));
        Conversion c = prepare(Route.CHAT_COMPLETIONS, CHAT_REQUEST, Accounts.of(AccountKind.OPENAI_API));

        String events = normalized(transcode(codex, 7, c::streamTranscoder));
        String bytes = normalized(transcode(
                codex,
                7,
                sink -> byteChain(
                        s -> new ResponsesToAnthropicStream("gpt-4o", new ToolNames(), new AnthropicEventWriter(s)),
                        new AnthropicToChatStream("gpt-4o", true, sink))));

        assertThat(events).isEqualTo(bytes).endsWith("data: [DONE]\n\n");
    }

    @Test
    void aChainedStreamFailsInTheClientsFormatAndReportsTheUpstreamsUsage() {
        Conversion c = prepare(Route.CHAT_COMPLETIONS, CHAT_REQUEST, Accounts.of(AccountKind.OPENAI_API));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StreamTranscoder t = c.streamTranscoder(out::writeBytes);
        byte[] created =
                ("{\"type\":\"response.created\",\"response\":{\"id\":\"r1\"}}").getBytes(StandardCharsets.UTF_8);
        t.onEvent("response.created", created, 0, created.length);

        t.fail("reset by peer");

        assertThat(t.done()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("an OpenAI error object, then [DONE]: the Chat client's format, not Anthropic's error event")
                .contains("\"error\":{\"message\":\"reset by peer\"")
                .doesNotContain("event: error")
                .endsWith("data: [DONE]\n\n");
        assertThat(t.usage().outputTokens())
                .as("no usage seen yet: nothing estimated")
                .isZero();
    }

    static Conversion prepare(Route route, String body, io.relaygate.core.Account account) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return Conversion.prepare(
                    route, false, RequestSkimmer.skim(buf.duplicate()), ClientKind.OTHER, buf, account);
        } finally {
            buf.release();
        }
    }

    private static io.relaygate.codec.skim.SkimmedRequest skim(String body) {
        ByteBuf buf = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        try {
            return RequestSkimmer.skim(buf);
        } finally {
            buf.release();
        }
    }

    private static JsonNode body(Conversion c) throws IOException {
        ByteBuf b = c.body();
        try {
            return JSON.readTree(b.toString(StandardCharsets.UTF_8));
        } finally {
            b.release();
        }
    }

    static byte[] golden(String name) throws IOException {
        try (InputStream in = ConversionTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static String transcode(byte[] in, int split, Function<Consumer<byte[]>, StreamTranscoder> factory) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcripts.feed(in, split, factory.apply(out::writeBytes));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Creation times are the clock's; the two runs may straddle a second. */
    private static String normalized(String sse) {
        return sse.replaceAll("\"created(_at)?\":\\d+", "\"created$1\":0");
    }

    /** The chaining this package replaced: the first transcoder's SSE bytes parsed again for the second. */
    private static StreamTranscoder byteChain(
            Function<Consumer<byte[]>, StreamTranscoder> first, StreamTranscoder second) {
        SseEventParser middle = new SseEventParser(UsageTap.MAX_EVENT_BYTES, second);
        StreamTranscoder head = first.apply(bytes -> {
            ByteBuf buf = Unpooled.wrappedBuffer(bytes);
            try {
                middle.feed(buf);
            } finally {
                buf.release();
            }
        });
        return new StreamTranscoder() {
            @Override
            public void onEvent(String eventName, byte[] data, int offset, int length) {
                head.onEvent(eventName, data, offset, length);
            }

            @Override
            public void finish() {
                head.finish();
                middle.finish();
                second.finish();
            }

            @Override
            public void fail(String message) {
                second.fail(message);
            }

            @Override
            public io.relaygate.core.Usage usage() {
                return head.usage();
            }

            @Override
            public boolean done() {
                return second.done();
            }
        };
    }
}
