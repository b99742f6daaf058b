package io.relaygate.codec.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Answers {@code count_tokens} for accounts that have no such endpoint (OpenAI Chat servers): the request's system
 * prompt, messages (text, tool inputs, tool results), and tools (names, descriptions, schemas) counted with OpenAI's
 * {@code o200k_base} byte-pair encoding (GPT-4o and later; the vocabulary ships inside jtokkit, nothing is fetched),
 * plus OpenAI's documented framing of 3 tokens per message and 3 to prime the reply. Images count a flat
 * {@link #IMAGE_TOKENS}. For models with another tokenizer (Llama, Qwen, DeepSeek) the count is an estimate; see
 * docs/conversion.md for measured differences.
 */
public final class TokenEstimator {

    /** OpenAI's count for a 512×512 high-detail image tile plus base (85 + 170 × 4), a typical screenshot. */
    static final int IMAGE_TOKENS = 765;

    static final int PER_MESSAGE = 3;
    static final int PER_TOOL = 8;

    private TokenEstimator() {}

    private static final class Holder {
        static final Encoding O200K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
    }

    /** Tokens of an Anthropic Messages (or count_tokens) request body. */
    public static long count(JsonNode request) {
        requireNonNull(request, "request");
        long n = 3;
        JsonNode system = request.path("system");
        if (!system.isMissingNode() && !system.isNull()) {
            n += PER_MESSAGE + content(system);
        }
        for (JsonNode m : request.path("messages")) {
            n += PER_MESSAGE + content(m.path("content"));
        }
        for (JsonNode t : request.path("tools")) {
            n += PER_TOOL
                    + text(t.path("name").asText(""))
                    + text(t.path("description").asText(""));
            JsonNode schema = t.path("input_schema");
            if (!schema.isMissingNode()) {
                n += text(schema.toString());
            }
        }
        return n;
    }

    /** Tokens of plain text. */
    public static int text(String s) {
        return s.isEmpty() ? 0 : Holder.O200K.countTokensOrdinary(s);
    }

    private static long content(JsonNode content) {
        if (content.isTextual()) {
            return text(content.asText());
        }
        long n = 0;
        for (JsonNode block : content) {
            switch (block.path("type").asText("")) {
                case "text" -> n += text(block.path("text").asText());
                case "image" -> n += IMAGE_TOKENS;
                case "tool_use" ->
                    n += text(block.path("name").asText())
                            + text(block.path("input").toString());
                case "tool_result" -> n += content(block.path("content"));
                case "thinking" -> n += text(block.path("thinking").asText());
                case "document" -> n += text(block.path("source").path("data").asText()) / 4;
                default -> {}
            }
        }
        return n;
    }
}
