package io.relaygate.codec.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import org.jspecify.annotations.Nullable;

/**
 * Reading an Anthropic Messages request the same way in every mapper out of it (to Chat and to Responses): the
 * effort its thinking settings ask for, the text of a string-or-blocks field, and the URL of an image or document
 * source.
 */
public final class AnthropicRequests {

    private AnthropicRequests() {}

    /**
     * OpenAI's reasoning effort (low / medium / high) for the request's thinking, or null when it asks for none: from
     * {@code thinking.budget_tokens} (under 4,096 low, under 16,384 medium), or from {@code output_config.effort} for
     * adaptive thinking (minimal → low; max and xhigh → high, the most OpenAI offers).
     */
    public static @Nullable String effort(JsonNode request) {
        JsonNode thinking = request.path("thinking");
        String type = thinking.path("type").asText("");
        if (type.equals("enabled")) {
            long budget = thinking.path("budget_tokens").asLong(0);
            return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
        }
        if (type.equals("adaptive") || request.path("output_config").has("effort")) {
            return switch (request.path("output_config").path("effort").asText("medium")) {
                case "low", "minimal" -> "low";
                case "high", "max", "xhigh" -> "high";
                default -> "medium";
            };
        }
        return null;
    }

    /**
     * The text of a string or of an array of text blocks, joined with blank lines (cache_control dropped).
     *
     * @throws GatewayException INVALID_REQUEST naming {@code field} when it is neither
     */
    public static String text(JsonNode content, String field) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw new GatewayException(
                    ErrorKind.INVALID_REQUEST, field + ": must be a string or an array of content blocks");
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                if (sb.length() > 0) {
                    sb.append("\n\n");
                }
                sb.append(block.path("text").asText());
            }
        }
        return sb.toString();
    }

    /**
     * The URL an OpenAI API takes for an Anthropic image {@code source}: a {@code data:} URL for base64 data, the URL
     * itself for a url source.
     *
     * @param where names the block in the error, e.g. {@code messages.3}
     * @throws GatewayException INVALID_REQUEST for any other source type
     */
    public static String imageUrl(JsonNode source, String where) {
        return switch (source.path("type").asText("")) {
            case "base64" -> dataUrl(source, "image/png");
            case "url" -> source.path("url").asText();
            default ->
                throw new GatewayException(
                        ErrorKind.INVALID_REQUEST,
                        where + ": image source type " + source.path("type").asText() + " (expected: base64 or url)");
        };
    }

    /** A base64 {@code source} as a {@code data:} URL, with {@code defaultMediaType} when it names none. */
    public static String dataUrl(JsonNode source, String defaultMediaType) {
        return "data:" + source.path("media_type").asText(defaultMediaType) + ";base64,"
                + source.path("data").asText();
    }
}
