package io.relaygate.codec.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicRequests;
import io.relaygate.codec.json.StableIds;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;

/**
 * Maps an Anthropic Messages request to an OpenAI Chat Completions request (docs/conversion.md has the table).
 *
 * <ul>
 *   <li>{@code system} (string or text blocks) and {@code role: "system"} messages become system messages, in place.
 *   <li>User text and images become content parts; a {@code tool_result} becomes a {@code tool} message placed before
 *       the rest of its user turn, since Chat wants tool messages right after the assistant's tool calls.
 *   <li>Assistant text becomes {@code content}, {@code tool_use} becomes {@code tool_calls}; thinking blocks are
 *       dropped (their signatures mean nothing to another provider).
 *   <li>Tools become functions (long names shortened through {@link ToolNames}); server tools are dropped.
 *   <li>{@code max_tokens} becomes {@code max_completion_tokens} for reasoning models, else {@code max_tokens}, clamped
 *       to the account's cap; thinking becomes {@code reasoning_effort} for reasoning models.
 * </ul>
 */
public final class AnthropicToChatRequest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** OpenAI accepts at most four stop sequences. */
    static final int MAX_STOP = 4;

    private AnthropicToChatRequest() {}

    /**
     * @throws GatewayException {@link ErrorKind#INVALID_REQUEST} naming the field when the request is malformed
     */
    public static ObjectNode map(JsonNode request, ChatTarget target, ToolNames toolNames) {
        requireNonNull(request, "request");
        requireNonNull(target, "target");
        if (!request.isObject()) {
            throw invalid("request body must be a JSON object");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("model", target.model());
        ArrayNode messages = out.putArray("messages");
        JsonNode system = request.path("system");
        if (!system.isMissingNode() && !system.isNull()) {
            String text = AnthropicRequests.text(system, "system");
            if (!text.isEmpty()) {
                messages.addObject().put("role", "system").put("content", text);
            }
        }
        JsonNode in = request.path("messages");
        if (!in.isArray()) {
            throw invalid("messages: must be an array");
        }
        for (int i = 0; i < in.size(); i++) {
            JsonNode m = in.get(i);
            String role = m.path("role").asText("");
            switch (role) {
                case "system" -> {
                    String text = AnthropicRequests.text(m.path("content"), "messages." + i + ".content");
                    if (!text.isEmpty()) {
                        messages.addObject().put("role", "system").put("content", text);
                    }
                }
                case "user" -> ChatMessages.user(m.path("content"), messages, i);
                case "assistant" -> ChatMessages.assistant(m.path("content"), messages, toolNames, i);
                default -> throw invalid("messages." + i + ".role: " + role + " (expected: user, assistant or system)");
            }
        }
        tools(request, out, toolNames);
        limits(request, target, out);
        sampling(request, target, out);
        JsonNode userId = request.path("metadata").path("user_id");
        if (userId.isTextual() && !userId.asText().isEmpty()) {
            out.put("user", userField(userId.asText()));
        }
        if (request.path("stream").asBoolean(false)) {
            out.put("stream", true);
            out.putObject("stream_options").put("include_usage", true);
        }
        return out;
    }

    private static void tools(JsonNode request, ObjectNode out, ToolNames toolNames) {
        JsonNode tools = request.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            ArrayNode fns = JSON.createArrayNode();
            for (JsonNode t : tools) {
                // Server tools (web_search_*, code_execution_*, …) run at Anthropic; no Chat upstream can run them.
                if (t.has("type") && !"custom".equals(t.path("type").asText())) {
                    continue;
                }
                ObjectNode fn = fns.addObject().put("type", "function").putObject("function");
                fn.put("name", toolNames.shorten(t.path("name").asText()));
                if (t.hasNonNull("description")) {
                    fn.put("description", t.path("description").asText());
                }
                JsonNode schema = t.path("input_schema");
                fn.set(
                        "parameters",
                        schema.isObject() ? schema : JSON.createObjectNode().put("type", "object"));
            }
            if (!fns.isEmpty()) {
                out.set("tools", fns);
            }
        }
        JsonNode choice = request.path("tool_choice");
        if (choice.isObject() && out.has("tools")) {
            switch (choice.path("type").asText()) {
                case "auto" -> out.put("tool_choice", "auto");
                case "any" -> out.put("tool_choice", "required");
                case "none" -> out.put("tool_choice", "none");
                case "tool" ->
                    out.putObject("tool_choice")
                            .put("type", "function")
                            .putObject("function")
                            .put("name", toolNames.shorten(choice.path("name").asText()));
                default ->
                    throw invalid("tool_choice.type: " + choice.path("type").asText()
                            + " (expected: auto, any, tool or none)");
            }
            if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
                out.put("parallel_tool_calls", false);
            }
        }
    }

    private static void limits(JsonNode request, ChatTarget target, ObjectNode out) {
        JsonNode max = request.path("max_tokens");
        if (max.isIntegralNumber()) {
            long value = max.asLong();
            if (target.maxOutputTokens() != null) {
                value = Math.min(value, target.maxOutputTokens());
            }
            out.put(target.reasoning() ? "max_completion_tokens" : "max_tokens", value);
        }
        JsonNode stops = request.path("stop_sequences");
        if (stops.isArray() && !stops.isEmpty()) {
            ArrayNode stop = out.putArray("stop");
            for (int i = 0; i < stops.size() && i < MAX_STOP; i++) {
                stop.add(stops.get(i).asText());
            }
        }
    }

    private static void sampling(JsonNode request, ChatTarget target, ObjectNode out) {
        if (target.reasoning()) {
            // Reasoning models reject temperature and top_p; they take an effort instead.
            String effort = AnthropicRequests.effort(request);
            if (effort != null) {
                out.put("reasoning_effort", effort);
            }
            return;
        }
        if (request.path("temperature").isNumber()) {
            out.put("temperature", request.path("temperature").asDouble());
        }
        if (request.path("top_p").isNumber()) {
            out.put("top_p", request.path("top_p").asDouble());
        }
    }

    /** OpenAI's {@code user} is a short end-user id; a long Claude Code user_id is replaced by a stable hash. */
    static String userField(String userId) {
        return StableIds.shortId(userId, 64);
    }

    public static GatewayException invalid(String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, message);
    }
}
