package io.relaygate.codec.skim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.ClientFixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RequestSkimmerFixtureTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, JsonNode> captures = new LinkedHashMap<>();

    @BeforeAll
    static void loadCapturedRequests() throws IOException {
        for (Path file : ClientFixtures.jsonFiles()) {
            JsonNode capture = MAPPER.readTree(file.toFile());
            if (capture.path("request").path("body").isObject()) {
                captures.put(file.getFileName().toString(), capture);
            }
        }
        assertThat(captures).as("captured requests with a JSON body").hasSizeGreaterThan(20);
    }

    @Test
    void everyCapturedBodySkimsToWhatItsJsonTreeSays() throws IOException {
        for (Map.Entry<String, JsonNode> e : captures.entrySet()) {
            JsonNode body = e.getValue().get("request").get("body");
            SkimmedRequest skimmed = skimHeap(MAPPER.writeValueAsBytes(body));

            assertThat(skimmed).as("%s", e.getKey()).isEqualTo(expectedFrom(body));
            assertThat(skimmed.model()).as("%s names a model", e.getKey()).isNotBlank();
            assertThat(skimmed.firstUserText())
                    .as("%s has a user prompt", e.getKey())
                    .isNotBlank();
            assertThat(skimmed.firstSystemText())
                    .as("%s has a system prompt", e.getKey())
                    .isNotBlank();
        }
    }

    @Test
    void claudeCodeSessionIdsMatchTheSessionHeader() throws IOException {
        int checked = 0;
        for (Map.Entry<String, JsonNode> e : captures.entrySet()) {
            String header = header(e.getValue(), "X-Claude-Code-Session-Id");
            if (header == null) {
                continue;
            }
            SkimmedRequest skimmed =
                    skimHeap(MAPPER.writeValueAsBytes(e.getValue().at("/request/body")));
            assertThat(skimmed.metadataUserId())
                    .as("%s metadata.user_id", e.getKey())
                    .isNotNull();
            assertThat(RequestSkimmer.sessionIdFromMetadataUserId(skimmed.metadataUserId()))
                    .as("%s: the session id in metadata.user_id is the one in the header", e.getKey())
                    .isEqualTo(header);
            checked++;
        }
        assertThat(checked).as("Claude Code 2.1.330 captures carry the header").isGreaterThan(10);
    }

    @Test
    void codexPromptCacheKeysMatchTheSessionHeader() throws IOException {
        int checked = 0;
        for (Map.Entry<String, JsonNode> e : captures.entrySet()) {
            String header = header(e.getValue(), "session-id");
            if (header == null || !e.getKey().startsWith("codex")) {
                continue;
            }
            SkimmedRequest skimmed =
                    skimHeap(MAPPER.writeValueAsBytes(e.getValue().at("/request/body")));
            assertThat(skimmed.promptCacheKey())
                    .as("%s prompt_cache_key", e.getKey())
                    .isEqualTo(header);
            assertThat(skimmed.stream()).as("Codex always streams").isTrue();
            checked++;
        }
        assertThat(checked).isGreaterThan(5);
    }

    @Test
    void compositeAndDirectBodiesSkimLikeHeapOnesWhereverTheyAreSplit() throws IOException {
        for (Map.Entry<String, JsonNode> e : captures.entrySet()) {
            byte[] bytes = MAPPER.writeValueAsBytes(e.getValue().get("request").get("body"));
            SkimmedRequest expected = skimHeap(bytes);
            int step = Math.max(1, bytes.length / 7);
            for (int a = 0; a < bytes.length; a += step) {
                int b = Math.min(bytes.length, a + 1 + step / 3);
                CompositeByteBuf composite = Unpooled.compositeBuffer();
                try {
                    composite.addComponent(true, Unpooled.wrappedBuffer(bytes, 0, a));
                    composite.addComponent(true, Unpooled.wrappedBuffer(bytes, a, b - a));
                    composite.addComponent(true, Unpooled.wrappedBuffer(bytes, b, bytes.length - b));
                    assertThat(RequestSkimmer.skim(composite))
                            .as("%s split at %d and %d", e.getKey(), a, b)
                            .isEqualTo(expected);
                    assertThat(composite.readerIndex())
                            .as("reader index unchanged")
                            .isZero();
                    assertThat(composite.refCnt())
                            .as("reference count unchanged")
                            .isEqualTo(1);
                } finally {
                    composite.release();
                }
            }
            ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
            try {
                direct.writeBytes(bytes);
                assertThat(RequestSkimmer.skim(direct))
                        .as("%s direct", e.getKey())
                        .isEqualTo(expected);
                assertThat(direct.readableBytes()).isEqualTo(bytes.length);
            } finally {
                direct.release();
            }
        }
    }

    @Test
    void truncatedCapturedBodiesAreRejectedAsInvalidJson() throws IOException {
        JsonNode body =
                captures.get("claude-code-2.1.330_print_stream_apikey.json").at("/request/body");
        byte[] bytes = MAPPER.writeValueAsBytes(body);
        for (int length = 1; length < bytes.length; length += 997) {
            byte[] prefix = java.util.Arrays.copyOf(bytes, length);
            RequestSkimmerTest.assertInvalid(prefix, "not valid JSON");
        }
    }

    static SkimmedRequest skimHeap(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return RequestSkimmer.skim(buf);
        } finally {
            buf.release();
        }
    }

    private static @Nullable String header(JsonNode capture, String name) {
        for (JsonNode h : capture.at("/request/headers")) {
            if (h.get(0).asText().equalsIgnoreCase(name)) {
                return h.get(1).asText();
            }
        }
        return null;
    }

    /** The same fields read from the tree model, as a second, independent reading. */
    static SkimmedRequest expectedFrom(JsonNode body) {
        Long max = null;
        for (String name : new String[] {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
            if (max == null && body.path(name).canConvertToExactIntegral()) {
                max = body.get(name).longValue();
            }
        }
        String system = text(body.get("system"));
        if (system == null && body.path("instructions").isTextual()) {
            system = capped(body.get("instructions").textValue());
        }
        JsonNode messages = body.has("messages") ? body.get("messages") : body.get("input");
        if (system == null) {
            system = firstMessageText(messages, "system", "developer");
        }
        String user = messages != null && messages.isTextual()
                ? capped(messages.textValue())
                : firstMessageText(messages, "user", "user");
        return new SkimmedRequest(
                body.path("model").textValue(),
                body.path("stream").asBoolean(false),
                max,
                body.path("metadata").path("user_id").textValue(),
                body.path("user").textValue(),
                body.path("prompt_cache_key").textValue(),
                body.path("stream_options").path("include_usage").asBoolean(false),
                system,
                user,
                body.has("messages")
                        ? body.path("messages").size()
                        : body.path("input").isTextual()
                                ? 1
                                : body.path("input").size());
    }

    private static @Nullable String firstMessageText(@Nullable JsonNode messages, String role, String otherRole) {
        if (messages == null || !messages.isArray()) {
            return null;
        }
        for (JsonNode m : messages) {
            String r = m.path("role").asText();
            boolean isMessage = !m.has("type") || m.get("type").asText().equals("message");
            if (isMessage && (r.equals(role) || r.equals(otherRole))) {
                return text(m.get("content"));
            }
        }
        return null;
    }

    private static @Nullable String text(@Nullable JsonNode content) {
        if (content == null) {
            return null;
        }
        if (content.isTextual()) {
            return capped(content.textValue());
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            String type = block.path("type").asText();
            if ((type.equals("text") || type.equals("input_text"))
                    && block.path("text").isTextual()) {
                sb.append(block.get("text").textValue());
            }
        }
        return capped(sb.toString());
    }

    /** The longest prefix of whole code points within 8 KiB of UTF-8; null for an empty text. */
    static @Nullable String capped(String s) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > 8192) {
                break;
            }
            bytes += size;
            i += Character.charCount(cp);
        }
        return i == 0 ? null : s.substring(0, i);
    }
}
