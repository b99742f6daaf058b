package io.relaygate.codec.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Golden transcripts (src/test/resources/golden): request in → request out and upstream stream in → client stream
 * out, per direction. The expected files were reviewed against docs/conversion.md; a change in output fails here and
 * must be reviewed the same way. Streams are also replayed split at every byte.
 */
class GoldenTranscriptsTest {

    private final ObjectMapper json = new ObjectMapper();

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = GoldenTranscriptsTest.class.getResourceAsStream("/golden/" + name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void anthropicRequestToChat() throws Exception {
        String out = AnthropicToChatRequest.map(
                        json.readTree(golden("anthropic-request.json")),
                        ChatTarget.of("gpt-4.1", 32000L),
                        new ToolNames())
                .toString();
        // Re-read so number node types (int vs long) compare by value, as JSON does.
        assertThat(json.readTree(out)).isEqualTo(json.readTree(golden("anthropic-request.chat.json")));
    }

    @Test
    void chatRequestToAnthropic() throws Exception {
        String out = ChatToAnthropicRequest.map(json.readTree(golden("chat-request.json")), "claude-sonnet-4-5")
                .toString();
        assertThat(json.readTree(out)).isEqualTo(json.readTree(golden("chat-request.anthropic.json")));
    }

    @Test
    void chatStreamToAnthropicAtEverySplit() throws Exception {
        byte[] in = golden("chat-stream.sse");
        String expected = new String(golden("chat-stream.anthropic.sse"), StandardCharsets.UTF_8);
        for (int split = 0; split <= in.length; split++) {
            String out = transcode(
                    in,
                    split,
                    sink -> new ChatToAnthropicStream(
                            "claude-sonnet-4-5", new ToolNames(), new AnthropicEventWriter(sink)));
            assertThat(out).as("split at %d", split).isEqualTo(expected);
        }
    }

    @Test
    void anthropicStreamToChatAtEverySplit() throws Exception {
        byte[] in = golden("anthropic-stream.sse");
        String expected = new String(golden("anthropic-stream.chat.sse"), StandardCharsets.UTF_8);
        for (int split = 0; split <= in.length; split++) {
            String out = transcode(in, split, sink -> new AnthropicToChatStream("gpt-4o", true, sink))
                    .replaceAll("\"created\":\\d+", "\"created\":0");
            assertThat(out).as("split at %d", split).isEqualTo(expected);
        }
    }

    private static <T extends StreamTranscoder> String transcode(
            byte[] in, int split, Function<Consumer<byte[]>, T> factory) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transcripts.feed(in, split, factory.apply(out::writeBytes));
        return out.toString(StandardCharsets.UTF_8);
    }
}
