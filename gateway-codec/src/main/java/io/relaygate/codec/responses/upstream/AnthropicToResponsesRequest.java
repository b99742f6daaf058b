package io.relaygate.codec.responses.upstream;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicRequests;
import io.relaygate.codec.chat.AnthropicToChatRequest;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.codec.json.StableIds;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;

/**
 * Maps an Anthropic Messages request to an OpenAI Responses request, for {@code openai-api} and {@code codex-oauth}
 * accounts (docs/conversion-responses-out.md has the table).
 *
 * <ul>
 *   <li>{@code system} becomes {@code instructions}; {@code role: "system"} messages (Claude Code's per-turn control)
 *       become {@code developer} message items in place.
 *   <li>Turns become input items ({@link InputItems}): text and images as message parts, {@code tool_use} as
 *       {@code function_call}, {@code tool_result} as {@code function_call_output}; thinking blocks are dropped.
 *   <li>Tools become functions (long names shortened through {@link ToolNames}); server tools are dropped.
 *   <li>Thinking becomes {@code reasoning.effort} with a summary (streamed back as thinking), {@code max_tokens}
 *       {@code max_output_tokens}; the Codex backend's restrictions are applied ({@link ResponsesTarget}).
 * </ul>
 */
public final class AnthropicToResponsesRequest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The Responses API rejects {@code max_output_tokens} below 16; Claude Code probes with {@code max_tokens: 1}. */
    static final long MIN_OUTPUT_TOKENS = 16;

    /** The Codex backend refuses a request without instructions; used when the client sent no system prompt. */
    static final String DEFAULT_INSTRUCTIONS = "You are a helpful assistant.";

    /** OpenAI caps {@code prompt_cache_key} (like {@code user}) at 64 characters. */
    static final int MAX_CACHE_KEY = 64;

    private AnthropicToResponsesRequest() {}

    /**
     * @param anthropicRequest the client's Messages request body
     * @param target the upstream model and its kind
     * @param toolNames receives the long tool names shortened here, for the response side to restore
     * @throws GatewayException {@link ErrorKind#INVALID_REQUEST} naming the field when the request is malformed
     */
    public static ObjectNode map(JsonNode anthropicRequest, ResponsesTarget target, ToolNames toolNames) {
        requireNonNull(anthropicRequest, "anthropicRequest");
        requireNonNull(target, "target");
        requireNonNull(toolNames, "toolNames");
        if (!anthropicRequest.isObject()) {
            throw invalid("request body must be a JSON object");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("model", target.model());
        String instructions = systemText(anthropicRequest.path("system"));
        if (instructions.isEmpty() && target.codexBackend()) {
            instructions = DEFAULT_INSTRUCTIONS;
        }
        if (!instructions.isEmpty()) {
            out.put("instructions", instructions);
        }
        JsonNode messages = anthropicRequest.path("messages");
        if (!messages.isArray()) {
            throw invalid("messages: must be an array");
        }
        out.set("input", InputItems.map(messages, toolNames));
        tools(anthropicRequest, out, toolNames);
        reasoning(anthropicRequest, target, out);
        sampling(anthropicRequest, target, out);
        limits(anthropicRequest, target, out);
        textFormat(anthropicRequest, out);
        // Never keep conversations upstream: the client resends history each turn, and the Codex backend requires it.
        out.put("store", false);
        out.put(
                "stream",
                target.codexBackend() || anthropicRequest.path("stream").asBoolean(false));
        JsonNode userId = anthropicRequest.path("metadata").path("user_id");
        if (userId.isTextual() && !userId.asText().isEmpty()) {
            // Routes requests of one user/session to the same prompt cache; the deprecated `user` is not sent.
            out.put("prompt_cache_key", cacheKey(userId.asText()));
        }
        return out;
    }

    private static String systemText(JsonNode system) {
        if (system.isMissingNode() || system.isNull()) {
            return "";
        }
        return AnthropicRequests.text(system, "system");
    }

    private static void tools(JsonNode request, ObjectNode out, ToolNames toolNames) {
        ArrayNode fns = JSON.createArrayNode();
        for (JsonNode t : request.path("tools")) {
            // Server tools (web_search_*, code_execution_*, …) run at Anthropic; no Responses account runs them.
            if (t.has("type") && !"custom".equals(t.path("type").asText())) {
                continue;
            }
            String name = t.path("name").asText("");
            if (name.isEmpty()) {
                throw invalid("tools: a tool without a name");
            }
            ObjectNode fn = fns.addObject().put("type", "function").put("name", toolNames.shorten(name));
            if (t.hasNonNull("description")) {
                fn.put("description", t.path("description").asText());
            }
            JsonNode schema = t.path("input_schema");
            fn.set(
                    "parameters",
                    schema.isObject() ? schema : JSON.createObjectNode().put("type", "object"));
            // Anthropic schemas are not written for OpenAI's strict mode (every property required, no extras).
            fn.put("strict", false);
        }
        if (fns.isEmpty()) {
            return;
        }
        out.set("tools", fns);
        JsonNode choice = request.path("tool_choice");
        if (!choice.isObject()) {
            return;
        }
        switch (choice.path("type").asText()) {
            case "auto" -> out.put("tool_choice", "auto");
            case "any" -> out.put("tool_choice", "required");
            case "none" -> out.put("tool_choice", "none");
            case "tool" ->
                out.putObject("tool_choice")
                        .put("type", "function")
                        .put("name", toolNames.shorten(choice.path("name").asText()));
            default ->
                throw invalid(
                        "tool_choice.type: " + choice.path("type").asText() + " (expected: auto, any, tool or none)");
        }
        if (choice.path("disable_parallel_tool_use").asBoolean(false)) {
            out.put("parallel_tool_calls", false);
        }
    }

    /**
     * {@code reasoning.effort} for reasoning models, with {@code summary: "auto"} so the summary can be streamed back
     * as thinking, unless the client asked for thinking to be omitted from the answer.
     */
    private static void reasoning(JsonNode request, ResponsesTarget target, ObjectNode out) {
        if (!target.reasoningModel()) {
            return;
        }
        String effort = AnthropicRequests.effort(request);
        if (effort == null) {
            return;
        }
        ObjectNode reasoning = out.putObject("reasoning").put("effort", effort);
        JsonNode thinking = request.path("thinking");
        String type = thinking.path("type").asText("");
        boolean thinkingOn = type.equals("enabled") || type.equals("adaptive");
        if (thinkingOn && !"omitted".equals(thinking.path("display").asText(""))) {
            reasoning.put("summary", "auto");
        }
    }

    /** low / medium / high from {@code thinking.budget_tokens}, or from {@code output_config.effort} (adaptive). */
    private static void sampling(JsonNode request, ResponsesTarget target, ObjectNode out) {
        if (target.reasoningModel()) {
            // Reasoning models and the Codex backend reject temperature and top_p.
            return;
        }
        if (request.path("temperature").isNumber()) {
            out.put("temperature", request.path("temperature").asDouble());
        }
        if (request.path("top_p").isNumber()) {
            out.put("top_p", request.path("top_p").asDouble());
        }
    }

    /** {@code max_output_tokens}; {@code stop_sequences} are dropped because Responses has no stop parameter. */
    private static void limits(JsonNode request, ResponsesTarget target, ObjectNode out) {
        JsonNode max = request.path("max_tokens");
        if (target.codexBackend() || !max.canConvertToExactIntegral()) {
            return;
        }
        long value = max.asLong();
        if (target.maxOutputTokens() != null) {
            value = Math.min(value, target.maxOutputTokens());
        }
        out.put("max_output_tokens", Math.max(MIN_OUTPUT_TOKENS, value));
    }

    /** Structured output: {@code output_config.format} (or the older top-level {@code output_format}). */
    private static void textFormat(JsonNode request, ObjectNode out) {
        JsonNode format = request.path("output_config").path("format");
        if (!format.isObject()) {
            format = request.path("output_format");
        }
        if (!format.isObject() || !"json_schema".equals(format.path("type").asText())) {
            return;
        }
        ObjectNode f = out.putObject("text").putObject("format").put("type", "json_schema");
        f.put("name", format.path("name").asText("output"));
        JsonNode schema = format.path("schema");
        f.set("schema", schema.isObject() ? schema : JSON.createObjectNode().put("type", "object"));
        f.put("strict", false);
    }

    /** A stable cache key: the user id itself when short enough, else a SHA-256-derived one. */
    static String cacheKey(String userId) {
        return StableIds.shortId(userId, MAX_CACHE_KEY);
    }

    /** The text of a string or of an array of text blocks, joined with blank lines; cache_control is dropped. */
    static GatewayException invalid(String message) {
        return AnthropicToChatRequest.invalid(message);
    }
}
