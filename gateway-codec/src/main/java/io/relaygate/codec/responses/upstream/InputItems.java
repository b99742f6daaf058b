package io.relaygate.codec.responses.upstream;

import static io.relaygate.codec.responses.upstream.AnthropicToResponsesRequest.JSON;
import static io.relaygate.codec.responses.upstream.AnthropicToResponsesRequest.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicRequests;
import io.relaygate.codec.chat.ToolNames;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Maps Anthropic {@code messages} onto Responses {@code input} items, keeping the order the Responses API checks:
 * every {@code function_call_output} must come after the {@code function_call} with its {@code call_id}, and every
 * {@code function_call} needs an output before the conversation goes on.
 */
final class InputItems {

    /** Prefix of a tool result the client marked {@code is_error}: function_call_output has no error flag. */
    static final String TOOL_ERROR_PREFIX = "[tool error] ";

    /** The output sent for a tool call the client never answered, so the upstream accepts the history. */
    static final String MISSING_RESULT = "[no tool result was sent for this call]";

    private final ArrayNode items = JSON.createArrayNode();
    private final ToolNames toolNames;
    /** Calls of the latest assistant turn still waiting for their output. */
    private final Set<String> pending = new LinkedHashSet<>();
    /** Every call id seen so far, to tell an orphaned tool result from a matched one. */
    private final Set<String> calls = new HashSet<>();
    /** Calls that have their output item already: a second result for one becomes text. */
    private final Set<String> answered = new HashSet<>();

    private InputItems(ToolNames toolNames) {
        this.toolNames = toolNames;
    }

    static ArrayNode map(JsonNode messages, ToolNames toolNames) {
        InputItems m = new InputItems(toolNames);
        for (int i = 0; i < messages.size(); i++) {
            JsonNode msg = messages.get(i);
            String role = msg.path("role").asText("");
            switch (role) {
                case "system" -> m.system(msg.path("content"), i);
                case "user" -> m.user(msg.path("content"), i);
                case "assistant" -> m.assistant(msg.path("content"), i);
                default -> throw invalid("messages." + i + ".role: " + role + " (expected: user, assistant or system)");
            }
        }
        return m.items;
    }

    /** Claude Code's per-turn {@code role: "system"} message: a developer message in place. */
    private void system(JsonNode content, int index) {
        String text = AnthropicRequests.text(content, "messages." + index + ".content");
        if (text.isEmpty()) {
            return;
        }
        // No closePending(): an instruction between a call and its result must not cut the result off.
        ArrayNode parts = JSON.createArrayNode();
        parts.addObject().put("type", "input_text").put("text", text);
        message("developer", parts);
    }

    /**
     * A user turn: its tool results first, each as a {@code function_call_output} right after the assistant's calls,
     * then one user message with the remaining text, images and documents (and any images the tool results held).
     */
    private void user(JsonNode content, int index) {
        ArrayNode parts = JSON.createArrayNode();
        if (content.isTextual()) {
            closePending();
            parts.addObject().put("type", "input_text").put("text", content.asText());
            message("user", parts);
            return;
        }
        if (!content.isArray()) {
            throw invalid("messages." + index + ".content: must be a string or an array of content blocks");
        }
        for (JsonNode block : content) {
            switch (block.path("type").asText("")) {
                case "text" ->
                    parts.addObject()
                            .put("type", "input_text")
                            .put("text", block.path("text").asText());
                case "image" -> parts.add(image(block, index));
                case "document" -> parts.add(document(block, index));
                case "tool_result" -> toolResult(block, parts, index);
                default -> {
                    // search_result, server tool results and others have no Responses counterpart.
                }
            }
        }
        closePending();
        if (!parts.isEmpty()) {
            message("user", parts);
        }
    }

    private void toolResult(JsonNode block, ArrayNode userParts, int index) {
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
                switch (part.path("type").asText("")) {
                    case "text" -> {
                        if (text.length() > 0) {
                            text.append("\n\n");
                        }
                        text.append(part.path("text").asText());
                    }
                    // The output stays a string (every Responses server takes one); images follow as user input.
                    case "image" -> userParts.add(image(part, index));
                    case "document" -> userParts.add(document(part, index));
                    default -> {
                        // tool_reference and other beta blocks carry nothing the model can read here.
                    }
                }
            }
        }
        String output = block.path("is_error").asBoolean(false) ? TOOL_ERROR_PREFIX + text : text.toString();
        if (!calls.contains(id) || answered.contains(id)) {
            // A result whose call is not in the history (trimmed by the client), or a second one: the upstream would
            // reject a function_call_output without its function_call, so the model sees it as text instead.
            userParts.addObject().put("type", "input_text").put("text", "Result of tool call " + id + ":\n" + output);
            return;
        }
        pending.remove(id);
        answered.add(id);
        items.addObject().put("type", "function_call_output").put("call_id", id).put("output", output);
    }

    /** An assistant turn: text as output_text message parts, tool uses as function_call items, in order. */
    private void assistant(JsonNode content, int index) {
        closePending();
        ArrayNode parts = JSON.createArrayNode();
        if (content.isTextual()) {
            if (!content.asText().isEmpty()) {
                parts.addObject().put("type", "output_text").put("text", content.asText());
                message("assistant", parts);
            }
            return;
        }
        if (!content.isArray()) {
            throw invalid("messages." + index + ".content: must be a string or an array of content blocks");
        }
        for (JsonNode block : content) {
            switch (block.path("type").asText("")) {
                case "text" -> {
                    String text = block.path("text").asText();
                    if (!text.isEmpty()) {
                        parts.addObject().put("type", "output_text").put("text", text);
                    }
                }
                case "tool_use" -> {
                    if (!parts.isEmpty()) {
                        message("assistant", parts);
                        parts = JSON.createArrayNode();
                    }
                    functionCall(block, index);
                }
                default -> {
                    // thinking / redacted_thinking: signed for Anthropic, meaningless to OpenAI; server tool blocks
                    // ran at Anthropic.
                }
            }
        }
        if (!parts.isEmpty()) {
            message("assistant", parts);
        }
    }

    private void functionCall(JsonNode block, int index) {
        String id = block.path("id").asText("");
        if (id.isEmpty()) {
            throw invalid("messages." + index + ".content: tool_use without id");
        }
        JsonNode input = block.path("input");
        items.addObject()
                .put("type", "function_call")
                .put("call_id", id)
                .put("name", toolNames.shorten(block.path("name").asText()))
                .put("arguments", input.isMissingNode() || input.isNull() ? "{}" : input.toString());
        calls.add(id);
        pending.add(id);
    }

    /** Answers the calls the client left unanswered before anything else is appended. */
    private void closePending() {
        for (String id : pending) {
            items.addObject()
                    .put("type", "function_call_output")
                    .put("call_id", id)
                    .put("output", MISSING_RESULT);
            answered.add(id);
        }
        pending.clear();
    }

    private void message(String role, ArrayNode parts) {
        ObjectNode m = items.addObject().put("type", "message").put("role", role);
        m.set("content", parts);
    }

    private static ObjectNode image(JsonNode block, int index) {
        String url = AnthropicRequests.imageUrl(block.path("source"), "messages." + index);
        return JSON.createObjectNode()
                .put("type", "input_image")
                .put("image_url", url)
                .put("detail", "auto");
    }

    /** PDFs (base64 or URL) become {@code input_file}; plain-text and content documents become text. */
    private static ObjectNode document(JsonNode block, int index) {
        JsonNode source = block.path("source");
        String type = source.path("type").asText("");
        switch (type) {
            case "text" -> {
                return JSON.createObjectNode()
                        .put("type", "input_text")
                        .put("text", source.path("data").asText());
            }
            case "content" -> {
                return JSON.createObjectNode()
                        .put("type", "input_text")
                        .put("text", AnthropicRequests.text(source.path("content"), "document.source"));
            }
            case "base64" -> {
                return JSON.createObjectNode()
                        .put("type", "input_file")
                        .put("filename", block.path("title").asText("document.pdf"))
                        .put("file_data", AnthropicRequests.dataUrl(source, "application/pdf"));
            }
            case "url" -> {
                return JSON.createObjectNode()
                        .put("type", "input_file")
                        .put("file_url", source.path("url").asText());
            }
            default ->
                throw invalid("messages." + index + ": document source type " + type
                        + " (expected: base64, url, text or content)");
        }
    }
}
