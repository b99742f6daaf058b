package io.relaygate.codec.chat;

import static io.relaygate.codec.chat.AnthropicToChatRequest.JSON;
import static io.relaygate.codec.chat.AnthropicToChatRequest.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicRequests;

/** Maps one Anthropic user or assistant turn onto Chat messages. */
final class ChatMessages {

    /** Prefix of a tool result the client marked {@code is_error}: Chat tool messages have no error flag. */
    static final String TOOL_ERROR_PREFIX = "[tool error] ";

    private ChatMessages() {}

    /**
     * A user turn: its tool results first, each as a {@code tool} message (Chat requires them right after the
     * assistant's tool calls), then a user message with the remaining text and images, if any.
     */
    static void user(JsonNode content, ArrayNode out, int index) {
        if (content.isTextual()) {
            out.addObject().put("role", "user").put("content", content.asText());
            return;
        }
        if (!content.isArray()) {
            throw invalid("messages." + index + ".content: must be a string or an array of content blocks");
        }
        ArrayNode parts = JSON.createArrayNode();
        for (JsonNode block : content) {
            String type = block.path("type").asText("");
            switch (type) {
                case "text" ->
                    parts.addObject()
                            .put("type", "text")
                            .put("text", block.path("text").asText());
                case "image" -> parts.add(image(block, index));
                case "document" -> parts.add(document(block, index));
                case "tool_result" -> toolResult(block, out, parts, index);
                default -> {
                    // search_result, server tool results and others have no Chat counterpart.
                }
            }
        }
        if (parts.isEmpty()) {
            return;
        }
        ObjectNode user = out.addObject().put("role", "user");
        if (parts.size() == 1 && "text".equals(parts.get(0).path("type").asText())) {
            user.put("content", parts.get(0).path("text").asText());
        } else {
            user.set("content", parts);
        }
    }

    private static void toolResult(JsonNode block, ArrayNode out, ArrayNode userParts, int index) {
        String id = block.path("tool_use_id").asText("");
        if (id.isEmpty()) {
            throw invalid("messages." + index + ".content: tool_result without tool_use_id");
        }
        StringBuilder text = new StringBuilder();
        JsonNode c = block.path("content");
        if (c.isTextual()) {
            text.append(c.asText());
        } else if (c.isArray()) {
            for (JsonNode part : c) {
                if ("text".equals(part.path("type").asText())) {
                    if (text.length() > 0) {
                        text.append("\n\n");
                    }
                    text.append(part.path("text").asText());
                } else if ("image".equals(part.path("type").asText())) {
                    // Tool messages carry text only; the image follows in the user message.
                    userParts.add(image(part, index));
                }
            }
        }
        String body = block.path("is_error").asBoolean(false) ? TOOL_ERROR_PREFIX + text : text.toString();
        out.addObject().put("role", "tool").put("tool_call_id", id).put("content", body);
    }

    private static ObjectNode image(JsonNode block, int index) {
        String url = AnthropicRequests.imageUrl(block.path("source"), "messages." + index);
        ObjectNode part = JSON.createObjectNode().put("type", "image_url");
        part.putObject("image_url").put("url", url);
        return part;
    }

    /** PDFs become Chat {@code file} parts; plain-text documents become text. */
    private static ObjectNode document(JsonNode block, int index) {
        JsonNode source = block.path("source");
        String type = source.path("type").asText("");
        if (type.equals("text")) {
            return JSON.createObjectNode()
                    .put("type", "text")
                    .put("text", source.path("data").asText());
        }
        if (type.equals("base64")) {
            ObjectNode part = JSON.createObjectNode().put("type", "file");
            part.putObject("file")
                    .put("filename", block.path("title").asText("document.pdf"))
                    .put("file_data", AnthropicRequests.dataUrl(source, "application/pdf"));
            return part;
        }
        throw invalid("messages." + index + ": document source type " + type + " (expected: base64 or text)");
    }

    /** An assistant turn: text joined into {@code content}, tool uses as {@code tool_calls}; thinking dropped. */
    static void assistant(JsonNode content, ArrayNode out, ToolNames toolNames, int index) {
        ObjectNode msg = JSON.createObjectNode().put("role", "assistant");
        if (content.isTextual()) {
            msg.put("content", content.asText());
            out.add(msg);
            return;
        }
        if (!content.isArray()) {
            throw invalid("messages." + index + ".content: must be a string or an array of content blocks");
        }
        StringBuilder text = new StringBuilder();
        ArrayNode calls = JSON.createArrayNode();
        for (JsonNode block : content) {
            switch (block.path("type").asText("")) {
                case "text" -> text.append(block.path("text").asText());
                case "tool_use" -> {
                    ObjectNode call = calls.addObject()
                            .put("id", block.path("id").asText())
                            .put("type", "function");
                    JsonNode input = block.path("input");
                    call.putObject("function")
                            .put("name", toolNames.shorten(block.path("name").asText()))
                            .put("arguments", input.isMissingNode() ? "{}" : input.toString());
                }
                default -> {
                    // thinking / redacted_thinking: provider-specific, not replayable elsewhere.
                }
            }
        }
        if (text.length() > 0) {
            msg.put("content", text.toString());
        } else {
            msg.putNull("content");
        }
        if (!calls.isEmpty()) {
            msg.set("tool_calls", calls);
        }
        if (text.length() > 0 || !calls.isEmpty()) {
            out.add(msg);
        }
    }
}
