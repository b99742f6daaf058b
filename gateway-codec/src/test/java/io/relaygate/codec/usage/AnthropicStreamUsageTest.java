package io.relaygate.codec.usage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.ClientFixtures;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class AnthropicStreamUsageTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void fixtureStreamsYieldTheUsageWrittenInTheirJson() throws IOException {
        List<Path> streams = anthropicStreams();
        assertThat(streams).as("Claude Code captures").hasSizeGreaterThan(20);
        for (Path file : streams) {
            byte[] bytes = ClientFixtures.read(file);
            Expected expected = expectedFrom(bytes);
            AnthropicStreamUsage tap = tap(bytes, 1);
            String name = file.getFileName().toString();

            assertThat(tap.usage()).as("%s usage", name).isEqualTo(expected.usage);
            assertThat(tap.model()).as("%s model", name).isEqualTo(expected.model);
            assertThat(tap.stopReason()).as("%s stop_reason", name).isEqualTo(expected.stopReason);
            assertThat(tap.completed()).as("%s message_stop seen", name).isEqualTo(expected.completed);
            assertThat(tap.errorType()).as("%s has no error event", name).isNull();
        }
    }

    @Test
    void fixtureUsageDoesNotDependOnHowTheStreamIsChunked() {
        for (Path file : anthropicStreams()) {
            byte[] bytes = ClientFixtures.read(file);
            AnthropicStreamUsage whole = tap(bytes, bytes.length + 1);
            for (int chunk : new int[] {1, 2, 3, 7, 64}) {
                AnthropicStreamUsage split = tap(bytes, chunk);
                assertThat(split.usage())
                        .as("%s in %d-byte chunks", file.getFileName(), chunk)
                        .isEqualTo(whole.usage());
                assertThat(split.stopReason()).isEqualTo(whole.stopReason());
                assertThat(split.model()).isEqualTo(whole.model());
            }
        }
    }

    @Test
    void theFullTextStreamCountsMessageStartInputAndMessageDeltaOutput() {
        AnthropicStreamUsage tap = tap(ClientFixtures.read(fixture("claude-code-2.1.330_text_stream.sse")), 5);

        assertThat(tap.usage())
                .as("README: usage 42 in / 12 out for the full stream")
                .isEqualTo(new Usage(42, 12, 0, 0));
        assertThat(tap.model()).isEqualTo("claude-opus-5-5");
        assertThat(tap.stopReason()).isEqualTo("end_turn");
        assertThat(tap.completed()).isTrue();
    }

    @Test
    void missingUsageInMessageStartRecordsZeroInputTokens() {
        AnthropicStreamUsage tap =
                tap(ClientFixtures.read(fixture("variants/claude-code-2.1.330_sse_no_start_usage.sse")), 9);

        assertThat(tap.usage())
                .as("README: input_tokens recorded as 0, output from message_delta")
                .isEqualTo(new Usage(0, 12, 0, 0));
        assertThat(tap.model()).as("the model is still read").isEqualTo("claude-opus-5-5");
    }

    @Test
    void missingMessageDeltaKeepsMessageStartUsageAndNoStopReason() {
        AnthropicStreamUsage tap =
                tap(ClientFixtures.read(fixture("variants/claude-code-2.1.330_sse_no_message_delta.sse")), 11);

        assertThat(tap.usage()).as("README: usage from message_start only").isEqualTo(new Usage(42, 1, 0, 0));
        assertThat(tap.stopReason()).as("README: stop_reason null").isNull();
        assertThat(tap.completed()).isTrue();
    }

    @Test
    void missingMessageDeltaUsageKeepsMessageStartOutputTokens() {
        AnthropicStreamUsage tap =
                tap(ClientFixtures.read(fixture("variants/claude-code-2.1.330_sse_no_delta_usage.sse")), 13);

        assertThat(tap.usage()).as("README: output_tokens stays at 1").isEqualTo(new Usage(42, 1, 0, 0));
        assertThat(tap.stopReason()).isEqualTo("end_turn");
    }

    @Test
    void dataOnlyStreamsAreReadByTheJsonType() {
        AnthropicStreamUsage tap =
                tap(ClientFixtures.read(fixture("variants/claude-code-2.1.330_sse_data_only.sse")), 17);

        assertThat(tap.usage()).as("no event: lines, same numbers").isEqualTo(new Usage(42, 12, 0, 0));
        assertThat(tap.stopReason()).isEqualTo("end_turn");
        assertThat(tap.completed()).isTrue();
    }

    @Test
    void messageDeltaCountsReplaceEarlierOnesFieldByField() {
        AnthropicStreamUsage tap = tap(
                sse(
                                "message_start",
                                "{\"type\":\"message_start\",\"message\":{\"model\":\"m\",\"usage\":"
                                        + "{\"input_tokens\":10,\"cache_creation_input_tokens\":20,"
                                        + "\"cache_read_input_tokens\":30,\"output_tokens\":1}}}")
                        + sse(
                                "message_delta",
                                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"},"
                                        + "\"usage\":{\"output_tokens\":50,\"cache_read_input_tokens\":35}}")
                        + sse("message_delta", "{\"type\":\"message_delta\",\"usage\":{\"input_tokens\":11}}"),
                4);

        assertThat(tap.usage())
                .as("present fields replace (cumulative), absent ones stay")
                .isEqualTo(new Usage(11, 50, 20, 35));
        assertThat(tap.stopReason())
                .as("a later delta without stop_reason keeps it")
                .isEqualTo("max_tokens");
        assertThat(tap.completed()).as("no message_stop").isFalse();
    }

    @Test
    void contentEventsAreJudgedByTheirNameAndNotParsed() {
        AnthropicStreamUsage tap = tap(
                sse("content_block_delta", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":999}}")
                        + sse("content_block_start", "{not json")
                        + sse("ping", "{\"type\":\"message_stop\"}")
                        + sse("some_future_event", "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7}}"),
                3);

        assertThat(tap.usage()).as("named non-accounting events never count").isEqualTo(Usage.ZERO);
        assertThat(tap.completed()).isFalse();
    }

    @Test
    void malformedEventJsonIsIgnoredWithoutThrowing() {
        AnthropicStreamUsage tap = tap(
                sse(
                                "message_start",
                                "{\"type\":\"message_start\",\"message\":{\"model\":\"half\",\"usage\":{\"input_tokens\":5")
                        + sse("message_delta", "not json at all")
                        + sse("message_delta", "[1,2]")
                        + sse(
                                "message_delta",
                                "{\"usage\":{\"output_tokens\":\"12\",\"input_tokens\":-3,"
                                        + "\"cache_read_input_tokens\":99999999999999999999999,"
                                        + "\"cache_creation_input_tokens\":2.5}}")
                        + sse("message_delta", "{\"usage\":{\"output_tokens\":4}} trailing")
                        + sse("error", "{\"error\":\"not an object\"}"),
                2);

        assertThat(tap.model())
                .as("a truncated message_start applies nothing, not even its model")
                .isNull();
        assertThat(tap.usage())
                .as("wrongly typed, negative and oversized counts are absent; trailing bytes after a complete "
                        + "object do not spoil it")
                .isEqualTo(new Usage(0, 4, 0, 0));
        assertThat(tap.errorType()).isNull();
    }

    @Test
    void anErrorEventRecordsItsType() {
        AnthropicStreamUsage tap = tap(
                sse("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}")
                        + sse(
                                "error",
                                "{\"type\":\"error\",\"error\":{\"message\":\"Overloaded\","
                                        + "\"type\":\"overloaded_error\"}}"),
                6);

        assertThat(tap.errorType()).isEqualTo("overloaded_error");
        assertThat(tap.usage()).as("usage before the error is kept").isEqualTo(new Usage(3, 0, 0, 0));
        assertThat(tap.completed()).isFalse();
    }

    private static List<Path> anthropicStreams() {
        return ClientFixtures.sseFiles().stream()
                .filter(p -> p.getFileName().toString().startsWith("claude-code"))
                .toList();
    }

    private static Path fixture(String relative) {
        return ClientFixtures.dir().resolve(relative);
    }

    private static String sse(String event, String data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
    }

    private static AnthropicStreamUsage tap(String stream, int chunk) {
        return tap(stream.getBytes(StandardCharsets.UTF_8), chunk);
    }

    /** Feeds {@code bytes} through a parser into a fresh tap in chunks of {@code chunk} bytes. */
    private static AnthropicStreamUsage tap(byte[] bytes, int chunk) {
        AnthropicStreamUsage tap = new AnthropicStreamUsage();
        SseEventParser parser = new SseEventParser(1 << 20, tap);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            for (int i = 0; i < bytes.length; i += chunk) {
                parser.feed(buf.slice(i, Math.min(chunk, bytes.length - i)));
            }
            parser.finish();
        } finally {
            buf.release();
        }
        return tap;
    }

    private record Expected(
            Usage usage, @Nullable String model, @Nullable String stopReason, boolean completed) {}

    /** Reads the data lines with a tree model: a second, independent reading of the same stream. */
    private static Expected expectedFrom(byte[] bytes) throws IOException {
        long[] counts = new long[4];
        String[] names = {"input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"};
        String model = null;
        String stopReason = null;
        boolean completed = false;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            JsonNode data = MAPPER.readTree(line.substring("data: ".length()));
            JsonNode usage = null;
            switch (data.path("type").asText()) {
                case "message_start" -> {
                    model = data.path("message").path("model").textValue();
                    usage = data.path("message").path("usage");
                }
                case "message_delta" -> {
                    if (data.path("delta").path("stop_reason").isTextual()) {
                        stopReason = data.path("delta").path("stop_reason").textValue();
                    }
                    usage = data.path("usage");
                }
                case "message_stop" -> completed = true;
                default -> {}
            }
            for (int i = 0; usage != null && i < names.length; i++) {
                if (usage.path(names[i]).isIntegralNumber()) {
                    counts[i] = usage.get(names[i]).longValue();
                }
            }
        }
        return new Expected(new Usage(counts[0], counts[1], counts[2], counts[3]), model, stopReason, completed);
    }
}
