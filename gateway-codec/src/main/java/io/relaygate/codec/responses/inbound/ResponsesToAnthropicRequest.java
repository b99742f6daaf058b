package io.relaygate.codec.responses.inbound;

import static io.relaygate.codec.responses.inbound.OutputItems.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.json.StableIds;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.GatewayException;
import org.jspecify.annotations.Nullable;

/**
 * Maps an OpenAI Responses request (Codex CLI's, say) to an Anthropic Messages request
 * (docs/conversion-responses-in.md has the table).
 *
 * <ul>
 *   <li>{@code instructions} and the developer/system messages before the first conversation item become the
 *       {@code system} text blocks, in order; later developer messages stay in place as tagged user text.
 *   <li>Messages, function and custom tool calls and their outputs become alternating user/assistant turns with
 *       tool_use / tool_result blocks, call ids kept ({@link InputTurns}). OpenAI's encrypted reasoning is dropped; a
 *       reasoning item this gateway produced from Anthropic thinking becomes that thinking block again.
 *   <li>Function, custom and namespaced tools (top-level or in {@code additional_tools} items) become Anthropic tools,
 *       remembered in {@link ResponsesTools}; hosted tools are dropped.
 *   <li>{@code reasoning.effort} becomes adaptive thinking plus {@code output_config.effort}, or for models before
 *       Claude 4.6 thinking with a token budget ({@link EffortThinking}); {@code text.format} json_schema becomes
 *       {@code output_config.format}.
 *   <li>Prompt caching: the last system block and the last message block get {@code cache_control} breakpoints,
 *       standing in for OpenAI's automatic caching.
 * </ul>
 */
public final class ResponsesToAnthropicRequest {

    /** max_tokens when the client sets no max_output_tokens: the Messages API requires one. */
    static final int DEFAULT_MAX_TOKENS = 32_000;

    /** Longest metadata.user_id sent as is; longer ones are hashed. */
    static final int MAX_USER_ID = 128;

    private ResponsesToAnthropicRequest() {}

    /**
     * @param upstreamModel the account's model name, sent as {@code model}
     * @param tools filled with the request's tools, for mapping the answer back
     * @throws GatewayException {@link ErrorKind#INVALID_REQUEST} when the body is not an object or holds nothing to
     *     answer
     */
    public static ObjectNode map(JsonNode responsesRequest, String upstreamModel, ResponsesTools tools) {
        requireNonNull(responsesRequest, "responsesRequest");
        requireNonNull(upstreamModel, "upstreamModel");
        requireNonNull(tools, "tools");
        if (!responsesRequest.isObject()) {
            throw invalid("request body must be a JSON object");
        }
        JsonNode req = responsesRequest;
        ObjectNode out = JSON.createObjectNode();
        out.put("model", upstreamModel);

        ArrayNode toolDefs = ToolDeclarations.declare(req, tools);
        @Nullable ObjectNode toolChoice = toolDefs.isEmpty() ? null : ToolDeclarations.toolChoice(req, tools);
        boolean forcedTool = toolChoice != null
                && (toolChoice.path("type").asText().equals("any")
                        || toolChoice.path("type").asText().equals("tool"));
        long maxTokens = req.path("max_output_tokens").isIntegralNumber()
                ? Math.max(1, req.path("max_output_tokens").asLong())
                : DEFAULT_MAX_TOKENS;
        // Anthropic rejects thinking with a forced tool choice; the explicit choice wins.
        @Nullable
        EffortThinking thinking = forcedTool
                ? null
                : EffortThinking.of(req.path("reasoning").path("effort").asText(""), upstreamModel, maxTokens);

        ArrayNode system = JSON.createArrayNode();
        InputTurns turns = build(req, tools, thinking != null, system);
        if (thinking != null && turns.lastToolLoopLacksThinking()) {
            // Mid tool loop with thinking on, the Messages API wants the last assistant turn to open with its
            // thinking block; without one (a history from another model) this step runs without thinking.
            thinking = null;
            system = JSON.createArrayNode();
            turns = build(req, tools, false, system);
        }
        ArrayNode messages = turns.messages();
        if (messages.isEmpty()) {
            throw invalid("input: no user or assistant content to answer");
        }
        textFormat(req.path("text").path("format"), out, system);
        if (!system.isEmpty()) {
            cacheBreakpoint(system.get(system.size() - 1));
            out.set("system", system);
        }
        cacheBreakpoint(lastBlock(messages));
        out.set("messages", messages);
        if (!toolDefs.isEmpty()) {
            out.set("tools", toolDefs);
            if (toolChoice != null) {
                out.set("tool_choice", toolChoice);
            }
        }
        out.put("max_tokens", maxTokens);
        if (thinking != null) {
            thinking.apply(out);
        } else {
            sampling(req, out);
        }
        metadata(req, out);
        if (req.path("stream").isBoolean()) {
            out.put("stream", req.path("stream").asBoolean());
        }
        return out;
    }

    /** The turns of {@code req}; {@code system} receives instructions, then the leading developer messages. */
    private static InputTurns build(JsonNode req, ResponsesTools tools, boolean thinking, ArrayNode system) {
        // instructions is a string; early API versions also took a list of input items.
        InputContent.text(InputContent.plainText(req.path("instructions")), system);
        InputTurns turns = new InputTurns(tools, thinking, system);
        turns.addAll(req.path("input"));
        turns.repair();
        return turns;
    }

    /**
     * json_schema → Anthropic structured output ({@code output_config.format}); json_object, which has no schema,
     * becomes an instruction.
     */
    private static void textFormat(JsonNode format, ObjectNode out, ArrayNode system) {
        switch (format.path("type").asText("")) {
            case "json_schema" -> {
                if (format.path("schema").isObject()) {
                    ObjectNode f = outputConfig(out).putObject("format").put("type", "json_schema");
                    f.set("schema", TextFormatSchema.adapt(format.path("schema")));
                }
            }
            case "json_object" -> InputContent.text("Respond with a single JSON object and nothing else.", system);
            default -> {
                // text: the default.
            }
        }
    }

    static ObjectNode outputConfig(ObjectNode out) {
        JsonNode existing = out.path("output_config");
        return existing.isObject() ? (ObjectNode) existing : out.putObject("output_config");
    }

    /**
     * temperature (capped at Anthropic's 1) or else top_p: recent Claude models reject both together, and thinking
     * rejects either, so this runs only without thinking.
     */
    private static void sampling(JsonNode req, ObjectNode out) {
        if (req.path("temperature").isNumber()) {
            out.put(
                    "temperature",
                    Math.min(1.0, Math.max(0.0, req.path("temperature").asDouble())));
        } else if (req.path("top_p").isNumber()) {
            out.put("top_p", req.path("top_p").asDouble());
        }
    }

    /** metadata.user_id from safety_identifier, user or (Codex's session id) prompt_cache_key. */
    private static void metadata(JsonNode req, ObjectNode out) {
        for (String field : new String[] {"safety_identifier", "user", "prompt_cache_key"}) {
            String v = req.path(field).asText("");
            if (!v.isEmpty()) {
                out.putObject("metadata").put("user_id", StableIds.shortId(v, MAX_USER_ID));
                return;
            }
        }
    }

    private static void cacheBreakpoint(JsonNode block) {
        String type = block.path("type").asText("");
        if (block instanceof ObjectNode o && !type.equals("thinking") && !type.equals("redacted_thinking")) {
            o.putObject("cache_control").put("type", "ephemeral");
        }
    }

    private static JsonNode lastBlock(ArrayNode messages) {
        JsonNode content = messages.get(messages.size() - 1).path("content");
        return content.path(content.size() - 1);
    }

    static GatewayException invalid(String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, message);
    }
}
