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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ResponsesStreamUsageTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static List<Path> codexStreams() {
        List<Path> files = ClientFixtures.sseFiles().stream()
                .filter(p -> p.getFileName().toString().startsWith("codex-"))
                .collect(Collectors.toList());
        assertThat(files).as("Codex captures and variants").hasSizeGreaterThan(20);
        return files;
    }

    private static ResponsesStreamUsage tap(byte[] bytes, int chunk) {
        ResponsesStreamUsage tap = new ResponsesStreamUsage();
        SseEventParser parser = new SseEventParser(1 << 20, tap);
        for (int i = 0; i < bytes.length; i += chunk) {
            ByteBuf buf = Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i));
            try {
                parser.feed(buf);
            } finally {
                buf.release();
            }
        }
        parser.finish();
        return tap;
    }

    /** The terminal event's usage and model, read with a tree parser. */
    private static Usage expectedUsage(byte[] bytes) throws IOException {
        Usage usage = Usage.ZERO;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            JsonNode e = MAPPER.readTree(line.substring(6));
            String type = e.path("type").asText();
            JsonNode u = e.path("response").path("usage");
            if (type.equals("response.completed") || type.equals("response.failed")) {
                if (u.isObject()) {
                    long in = u.path("input_tokens").asLong();
                    long cached =
                            u.path("input_tokens_details").path("cached_tokens").asLong();
                    usage = new Usage(in - cached, u.path("output_tokens").asLong(), 0, cached);
                }
            }
        }
        return usage;
    }

    private static String expectedModel(byte[] bytes) throws IOException {
        String model = null;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("data: ")) {
                JsonNode m = MAPPER.readTree(line.substring(6)).path("response").path("model");
                model = m.isTextual() ? m.asText() : model;
            }
        }
        return model;
    }

    @Test
    void everyCodexFixtureYieldsTheUsageOfItsTerminalEvent() throws IOException {
        for (Path file : codexStreams()) {
            byte[] bytes = ClientFixtures.read(file);
            String name = file.getFileName().toString();
            ResponsesStreamUsage tap = tap(bytes, bytes.length);
            assertThat(tap.usage()).as("%s usage", name).isEqualTo(expectedUsage(bytes));
            assertThat(tap.model()).as("%s model", name).isNotNull().isEqualTo(expectedModel(bytes));
            for (int chunk : new int[] {1, 3, 64}) {
                ResponsesStreamUsage split = tap(bytes, chunk);
                assertThat(split.usage())
                        .as("%s in %d-byte chunks", name, chunk)
                        .isEqualTo(tap.usage());
                assertThat(split.model()).isEqualTo(tap.model());
                assertThat(split.completed()).isEqualTo(tap.completed());
            }
        }
    }

    @Test
    void theReadmeNumbersAndTheVariantsWithoutUsage() {
        ResponsesStreamUsage full = tap(read("codex-0.169.0_text_stream.sse"), 5);
        assertThat(full.usage()).as("README: usage 42/12").isEqualTo(new Usage(42, 12, 0, 0));
        assertThat(full.model()).isEqualTo("gpt-6.1-sol");
        assertThat(full.status()).isEqualTo("completed");
        assertThat(full.completed()).isTrue();
        assertThat(full.errorCode()).isNull();

        assertThat(tap(read("variants/codex-0.169.0_sse_data_only.sse"), 7).usage())
                .as("no event: lines")
                .isEqualTo(new Usage(42, 12, 0, 0));
        assertThat(tap(read("variants/codex-0.169.0_sse_usage_partial.sse"), 7).usage())
                .as("no details, no total")
                .isEqualTo(new Usage(42, 12, 0, 0));
        for (String zero : new String[] {"no_usage", "minimal", "no_completed"}) {
            assertThat(tap(read("variants/codex-0.169.0_sse_" + zero + ".sse"), 11)
                            .usage())
                    .as(zero)
                    .isEqualTo(Usage.ZERO);
        }
        assertThat(tap(read("variants/codex-0.169.0_sse_no_completed.sse"), 11).completed())
                .isFalse();
        ResponsesStreamUsage failed = tap(read("variants/codex-0.169.0_sse_failed.sse"), 13);
        assertThat(failed.completed()).isFalse();
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.errorCode()).isEqualTo("server_error");
    }

    @Test
    void cachedInputTokensAreCacheReadsNotInput() {
        String sse =
                "data: {\"type\":\"response.output_text.delta\",\"delta\":\"{\\\"usage\\\":{\\\"input_tokens\\\":9}}\"}\n\n"
                        + "data: {\"response\":{\"model\":\"gpt-5.5\",\"usage\":{\"input_tokens\":1000,\"input_tokens_details\":"
                        + "{\"cached_tokens\":800},\"output_tokens\":50,\"output_tokens_details\":{\"reasoning_tokens\":30},"
                        + "\"total_tokens\":1050}},\"type\":\"response.incomplete\"}\n\n";
        ResponsesStreamUsage tap = tap(sse.getBytes(StandardCharsets.UTF_8), 4);
        assertThat(tap.usage()).isEqualTo(new Usage(200, 50, 0, 800));
        assertThat(tap.model()).isEqualTo("gpt-5.5");
        assertThat(tap.completed()).as("incomplete still ends the answer").isTrue();

        ResponsesStreamUsage broken = tap(
                "data: {\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tok"
                        .getBytes(StandardCharsets.UTF_8),
                3);
        assertThat(broken.usage()).as("malformed JSON is ignored").isEqualTo(Usage.ZERO);
    }

    private static byte[] read(String name) {
        return ClientFixtures.read(ClientFixtures.dir().resolve(name));
    }
}
