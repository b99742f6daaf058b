package io.relaygate.codec.chat;

import static io.relaygate.codec.chat.AnthropicToChatRequest.JSON;
import static io.relaygate.codec.chat.AnthropicToChatRequest.invalid;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Maps an OpenAI Chat Completions request to an Anthropic Messages request (the reverse of
 * {@link AnthropicToChatRequest}; docs/conversion.md has the table). System and developer messages become the
 * top-level {@code system}; tool messages become {@code tool_result} blocks of a user turn; assistant tool calls
 * become {@code tool_use} blocks; {@code reasoning_effort} becomes a thinking budget.
 */
public final class ChatToAnthropicRequest {

    /** Anthropic requires max_tokens; a Chat request without a limit gets this one. */
    public static final long DEFAULT_MAX_TOKENS = 4096;

    private ChatToAnthropicRequest() {}

    public static ObjectNode map(JsonNode chat, String upstreamModel) {
        requireNonNull(chat, "chat");
        requireNonNull(upstreamModel, "upstreamModel");
        if (!chat.isObject()) {
            throw invalid("request body must be a JSON object");
        }
        JsonNode in = chat.path("messages");
        if (!in.isArray()) {
            throw invalid("messages: must be an array");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("model", upstreamModel);
        StringBuilder system = new StringBuilder();
        ArrayNode messages = JSON.createArrayNode();
        ArrayNode pendingResults = null;
        for (int i = 0; i < in.size(); i++) {
            JsonNode m = in.get(i);
            String role = m.path("role").asText("");
            if (!role.equals("tool") && pendingResults != null) {
                messages.addObject().put("role", "user").set("content", pendingResults);
                pendingResults = null;
            }
            switch (role) {
                case "system", "developer" -> {
                    if (system.length() > 0) {
                        system.append("\n\n");
                    }
                    system.append(text(m.path("content"), "messages." + i + ".content"));
                }
                case "user" -> messages.addObject().put("role", "user").set("content", userContent(m, i));
                case "assistant" -> {
                    ArrayNode blocks = assistantContent(m, i);
                    if (!blocks.isEmpty()) {
                        messages.addObject().put("role", "assistant").set("content", blocks);
                    }
                }
                case "tool" -> {
                    if (pendingResults == null) {
                        pendingResults = JSON.createArrayNode();
                    }
                    pendingResults
                            .addObject()
                            .put("type", "tool_result")
                            .put("tool_use_id", m.path("tool_call_id").asText())
                            .put("content", text(m.path("content"), "messages." + i + ".content"));
                }
                default ->
                    throw invalid("messages." + i + ".role: " + role
                            + " (expected: system, developer, user, assistant or tool)");
            }
        }
        if (pendingResults != null) {
            messages.addObject().put("role", "user").set("content", pendingResults);
        }
        if (system.length() > 0) {
            out.put("system", system.toString());
        }
        out.set("messages", messages);
        long max = chat.path("max_completion_tokens")
                .asLong(chat.path("max_tokens").asLong(DEFAULT_MAX_TOKENS));
        out.put("max_tokens", max);
        tools(chat, out);
        if (chat.path("temperature").isNumber()) {
            // OpenAI's range is 0..2, Anthropic's 0..1.
            out.put("temperature", Math.min(1.0, chat.path("temperature").asDouble()));
        }
        if (chat.path("top_p").isNumber()) {
            out.put("top_p", chat.path("top_p").asDouble());
        }
        JsonNode stop = chat.path("stop");
        if (stop.isTextual()) {
            out.putArray("stop_sequences").add(stop.asText());
        } else if (stop.isArray() && !stop.isEmpty()) {
            out.set("stop_sequences", stop);
        }
        String effort = chat.path("reasoning_effort").asText("");
        if (!effort.isEmpty() && !effort.equals("none") && !effort.equals("minimal")) {
            long budget = effort.equals("low") ? 1024 : effort.equals("high") ? 24_576 : 8192;
            // The thinking budget must stay below max_tokens.
            budget = Math.min(budget, max - 1);
            if (budget >= 1024) {
                out.putObject("thinking").put("type", "enabled").put("budget_tokens", budget);
            }
        }
        if (chat.path("user").isTextual()) {
            out.putObject("metadata").put("user_id", chat.path("user").asText());
        }
        if (chat.path("stream").asBoolean(false)) {
            out.put("stream", true);
        }
        return out;
    }

    private static JsonNode userContent(JsonNode m, int index) {
        JsonNode content = m.path("content");
        if (content.isTextual()) {
            return content;
        }
        if (!content.isArray()) {
            throw invalid("messages." + index + ".content: must be a string or an array of content parts");
        }
        ArrayNode blocks = JSON.createArrayNode();
        for (JsonNode part : content) {
            switch (part.path("type").asText("")) {
                case "text" ->
                    blocks.addObject()
                            .put("type", "text")
                            .put("text", part.path("text").asText());
                case "image_url" ->
                    blocks.add(image(part.path("image_url").path("url").asText(""), index));
                default -> {
                    // input_audio, file: no Anthropic counterpart here.
                }
            }
        }
        return blocks;
    }

    private static ObjectNode image(String url, int index) {
        ObjectNode block = JSON.createObjectNode().put("type", "image");
        ObjectNode source = block.putObject("source");
        if (url.startsWith("data:")) {
            int semi = url.indexOf(';');
            int comma = url.indexOf(',');
            if (semi < 0 || comma < semi) {
                throw invalid("messages." + index + ": image data URL is not base64 (expected: data:<type>;base64,…)");
            }
            source.put("type", "base64")
                    .put("media_type", url.substring(5, semi))
                    .put("data", url.substring(comma + 1));
        } else {
            source.put("type", "url").put("url", url);
        }
        return block;
    }

    private static ArrayNode assistantContent(JsonNode m, int index) {
        ArrayNode blocks = JSON.createArrayNode();
        String text = m.path("content").isNull() ? "" : text(m.path("content"), "messages." + index + ".content");
        if (!text.isEmpty()) {
            blocks.addObject().put("type", "text").put("text", text);
        }
        for (JsonNode call : m.path("tool_calls")) {
            ObjectNode tool = blocks.addObject()
                    .put("type", "tool_use")
                    .put("id", call.path("id").asText())
                    .put("name", call.path("function").path("name").asText());
            String args = call.path("function").path("arguments").asText("");
            JsonNode input;
            try {
                input = args.isBlank() ? JSON.createObjectNode() : JSON.readTree(args);
            } catch (IOException e) {
                throw invalid("messages." + index + ".tool_calls: arguments are not JSON");
            }
            tool.set("input", input.isObject() ? input : JSON.createObjectNode());
        }
        return blocks;
    }

    private static void tools(JsonNode chat, ObjectNode out) {
        JsonNode tools = chat.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ArrayNode list = out.putArray("tools");
            for (JsonNode t : tools) {
                JsonNode fn = t.path("function");
                ObjectNode tool = list.addObject().put("name", fn.path("name").asText());
                if (fn.hasNonNull("description")) {
                    tool.put("description", fn.path("description").asText());
                }
                JsonNode params = fn.path("parameters");
                tool.set(
                        "input_schema",
                        params.isObject() ? params : JSON.createObjectNode().put("type", "object"));
            }
        }
        JsonNode choice = chat.path("tool_choice");
        ObjectNode mapped = null;
        if (choice.isTextual()) {
            mapped = switch (choice.asText()) {
                case "required" -> JSON.createObjectNode().put("type", "any");
                case "none" -> JSON.createObjectNode().put("type", "none");
                default -> JSON.createObjectNode().put("type", "auto");
            };
        } else if (choice.isObject()) {
            mapped = JSON.createObjectNode()
                    .put("type", "tool")
                    .put("name", choice.path("function").path("name").asText());
        }
        if (chat.path("parallel_tool_calls").isBoolean()
                && !chat.path("parallel_tool_calls").asBoolean()) {
            if (mapped == null) {
                mapped = JSON.createObjectNode().put("type", "auto");
            }
            mapped.put("disable_parallel_tool_use", true);
        }
        if (mapped != null && out.has("tools")) {
            out.set("tool_choice", mapped);
        }
    }

    /** The text of a string or of an array of text parts. */
    private static String text(JsonNode content, String field) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw invalid(field + ": must be a string or an array of content parts");
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if ("text".equals(part.path("type").asText())) {
                sb.append(part.path("text").asText());
            }
        }
        return sb.toString();
    }
}
