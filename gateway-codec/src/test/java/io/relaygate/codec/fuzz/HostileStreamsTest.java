package io.relaygate.codec.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.codec.chat.AnthropicToChatStream;
import io.relaygate.codec.chat.ChatToAnthropicStream;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.responses.inbound.AnthropicToResponsesStream;
import io.relaygate.codec.responses.inbound.ResponsesTools;
import io.relaygate.codec.responses.upstream.ResponsesToAnthropicStream;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile upstream streams as data ({@code src/test/resources/hostile-upstream/<direction>/*.sse}, each folder's README
 * says what each stream is): through the SSE parser and the direction's transcoder, the client gets a well-formed
 * stream in its format (an error event where the stream is broken past repair), the usage is never negative, and the
 * output is the same wherever the bytes are split. {@code @@10MiB@@} in a file stands for 10 MiB of one character. The
 * streams that end before their terminal event are the relay's to judge: gateway-server's {@code HostileUpstreamIT}.
 */
class HostileStreamsTest {

    private static final Path ROOT = Path.of("src/test/resources/hostile-upstream");

    static Stream<Arguments> streams() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String direction :
                List.of("chat-to-anthropic", "responses-to-anthropic", "anthropic-to-chat", "anthropic-to-responses")) {
            try (Stream<Path> files = Files.list(ROOT.resolve(direction))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".sse"))
                        .sorted()
                        .toList()) {
                    out.add(Arguments.of(direction, f.getFileName().toString()));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("streams")
    void theClientGetsAWellFormedStreamAndUsageIsNeverNegative(String direction, String file) throws IOException {
        byte[] in = Files.readString(ROOT.resolve(direction).resolve(file), StandardCharsets.UTF_8)
                .replace("@@10MiB@@", "z".repeat(10 * 1024 * 1024))
                .getBytes(StandardCharsets.UTF_8);
        AtomicReference<StreamTranscoder> last = new AtomicReference<>();
        Function<Consumer<byte[]>, StreamTranscoder> make = sink -> {
            StreamTranscoder t = transcoder(direction, sink);
            last.set(t);
            return t;
        };
        String whole = StreamFuzzTest.transcode(in, in.length, make);
        Usage usage = last.get().usage();
        assertThat(usage.inputTokens() >= 0 && usage.outputTokens() >= 0).isTrue();
        switch (direction) {
            case "anthropic-to-chat" -> SseShape.chat(whole);
            case "anthropic-to-responses" -> SseShape.responses(whole);
            default -> SseShape.anthropic(whole);
        }
        if (file.startsWith("huge-") || file.startsWith("error-")) {
            assertThat(whole).as("broken past repair: an error event ends it").contains("error");
        }
        int step = Math.max(1, in.length / 40);
        for (int split = 0; split <= in.length; split += step) {
            assertThat(StreamFuzzTest.normalised(StreamFuzzTest.transcode(in, split, make)))
                    .as("split at %d", split)
                    .isEqualTo(StreamFuzzTest.normalised(whole));
        }
    }

    private static StreamTranscoder transcoder(String direction, Consumer<byte[]> sink) {
        return switch (direction) {
            case "chat-to-anthropic" ->
                new ChatToAnthropicStream("claude-x", new ToolNames(), new AnthropicEventWriter(sink));
            case "responses-to-anthropic" ->
                new ResponsesToAnthropicStream("claude-x", new ToolNames(), new AnthropicEventWriter(sink));
            case "anthropic-to-chat" -> new AnthropicToChatStream("gpt-x", true, sink);
            default -> new AnthropicToResponsesStream("gpt-x", new ResponsesTools(), sink);
        };
    }
}
