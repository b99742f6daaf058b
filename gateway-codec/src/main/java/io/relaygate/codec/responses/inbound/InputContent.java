package io.relaygate.codec.responses.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Maps Responses content parts ({@code input_text}, {@code input_image}, {@code input_file}, …) to Anthropic blocks. */
final class InputContent {

    /** Image types the Messages API accepts (https://docs.anthropic.com/en/docs/build-with-claude/vision). */
    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");

    private InputContent() {}

    /**
     * Appends the blocks for {@code content} (a string or an array of parts) to {@code out}. Empty text is skipped:
     * the Messages API rejects empty text blocks.
     */
    static void append(JsonNode content, ArrayNode out) {
        if (content.isTextual()) {
            text(content.asText(), out);
            return;
        }
        if (!content.isArray()) {
            return;
        }
        for (JsonNode part : content) {
            if (part.isTextual()) {
                text(part.asText(), out);
                continue;
            }
            switch (part.path("type").asText("")) {
                case "input_text", "output_text", "text", "summary_text", "reasoning_text" ->
                    text(part.path("text").asText(""), out);
                case "refusal" -> text(part.path("refusal").asText(""), out);
                case "input_image" -> image(part, out);
                case "input_file" -> file(part, out);
                default -> {
                    // input_audio and future part types: nothing an Anthropic model can take.
                }
            }
        }
    }

    /** The plain text of {@code content}, parts joined by blank lines; images and files are left out. */
    static String plainText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            String t = part.isTextual() ? part.asText() : part.path("text").asText("");
            if (!t.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append("\n\n");
                }
                sb.append(t);
            }
        }
        return sb.toString();
    }

    static void text(String text, ArrayNode out) {
        if (!text.isEmpty()) {
            out.addObject().put("type", "text").put("text", text);
        }
    }

    private static void image(JsonNode part, ArrayNode out) {
        String url = part.path("image_url").isTextual()
                ? part.path("image_url").asText()
                : part.path("image_url").path("url").asText("");
        if (url.startsWith("data:")) {
            DataUrl d = DataUrl.parse(url);
            if (d != null && IMAGE_TYPES.contains(d.mediaType())) {
                ObjectNode block = out.addObject().put("type", "image");
                block.putObject("source")
                        .put("type", "base64")
                        .put("media_type", d.mediaType())
                        .put("data", d.data());
                return;
            }
            text("[image omitted: unsupported image data]", out);
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
            ObjectNode block = out.addObject().put("type", "image");
            block.putObject("source").put("type", "url").put("url", url);
        } else if (part.hasNonNull("file_id")) {
            // OpenAI file ids resolve only at OpenAI.
            text("[image file " + part.path("file_id").asText() + " omitted: not available to this model]", out);
        }
    }

    private static void file(JsonNode part, ArrayNode out) {
        String name = part.path("filename").asText("file");
        String data = part.path("file_data").asText("");
        if (data.startsWith("data:")) {
            DataUrl d = DataUrl.parse(data);
            if (d != null && d.mediaType().equals("application/pdf")) {
                ObjectNode block = out.addObject().put("type", "document");
                block.putObject("source")
                        .put("type", "base64")
                        .put("media_type", "application/pdf")
                        .put("data", d.data());
                return;
            }
        }
        String url = part.path("file_url").asText("");
        if (url.startsWith("https://")) {
            ObjectNode block = out.addObject().put("type", "document");
            block.putObject("source").put("type", "url").put("url", url);
            return;
        }
        text("[file " + name + " omitted: not available to this model]", out);
    }

    /** A {@code data:<media type>;base64,<data>} URL. */
    record DataUrl(String mediaType, String data) {

        static @Nullable DataUrl parse(String url) {
            int comma = url.indexOf(',');
            int semi = url.indexOf(";base64");
            if (comma < 0 || semi < 0 || semi > comma) {
                return null;
            }
            return new DataUrl(
                    url.substring("data:".length(), semi).toLowerCase(Locale.ROOT), url.substring(comma + 1));
        }
    }
}
