package io.relaygate.codec.responses.inbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.json.StableIds;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The Responses output item and response object shapes both Anthropic → Responses mappers produce (field names and
 * order as in the OpenAI stream captured in {@code codex-0.169.0_*.sse}), the stop-reason mapping and the marker that
 * carries an Anthropic thinking signature through a reasoning item's {@code encrypted_content}.
 */
final class OutputItems {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Prefix of {@code encrypted_content} holding an Anthropic thinking signature. Codex echoes reasoning items back
     * verbatim, so the next request can rebuild the thinking block Anthropic requires before a tool loop continues.
     */
    static final String THINKING_MARK = "rg-thinking-v1:";
    /** Prefix of {@code encrypted_content} holding the data of an Anthropic {@code redacted_thinking} block. */
    static final String REDACTED_MARK = "rg-redacted-v1:";

    static final String COMPLETED = "completed";
    static final String IN_PROGRESS = "in_progress";
    static final String INCOMPLETE = "incomplete";

    private OutputItems() {}

    static ObjectNode outputText(String text) {
        ObjectNode part = JSON.createObjectNode().put("type", "output_text");
        part.putArray("annotations");
        part.putArray("logprobs");
        part.put("text", text);
        return part;
    }

    /** An assistant message item; with {@code text} null its content is empty (as in output_item.added). */
    static ObjectNode message(String id, String status, @Nullable String text) {
        ObjectNode item = JSON.createObjectNode()
                .put("id", id)
                .put("type", "message")
                .put("status", status)
                .put("role", "assistant");
        var content = item.putArray("content");
        if (text != null) {
            content.add(outputText(text));
        }
        return item;
    }

    static ObjectNode summaryText(String text) {
        return JSON.createObjectNode().put("type", "summary_text").put("text", text);
    }

    /** A reasoning item: the thinking text as its one summary part (none when empty). */
    static ObjectNode reasoning(String id, @Nullable String text, @Nullable String encrypted) {
        ObjectNode item = JSON.createObjectNode().put("id", id).put("type", "reasoning");
        var summary = item.putArray("summary");
        if (text != null && !text.isEmpty()) {
            summary.add(summaryText(text));
        }
        if (encrypted == null) {
            item.putNull("encrypted_content");
        } else {
            item.put("encrypted_content", encrypted);
        }
        return item;
    }

    static ObjectNode functionCall(
            String id, String status, String callId, String name, @Nullable String namespace, String arguments) {
        ObjectNode item = JSON.createObjectNode()
                .put("id", id)
                .put("type", "function_call")
                .put("status", status)
                .put("arguments", arguments)
                .put("call_id", callId)
                .put("name", name);
        if (namespace != null) {
            item.put("namespace", namespace);
        }
        return item;
    }

    static ObjectNode customCall(String id, String status, String callId, String name, String input) {
        return JSON.createObjectNode()
                .put("id", id)
                .put("type", "custom_tool_call")
                .put("status", status)
                .put("call_id", callId)
                .put("name", name)
                .put("input", input);
    }

    /** A response object with empty output and null usage, to be filled in. */
    static ObjectNode response(String id, long createdAt, String status, String model) {
        ObjectNode r = JSON.createObjectNode()
                .put("id", id)
                .put("object", "response")
                .put("created_at", createdAt)
                .put("status", status);
        r.putNull("error");
        r.putNull("incomplete_details");
        r.put("model", model);
        r.putArray("output");
        r.putNull("usage");
        return r;
    }

    /**
     * Responses usage from Anthropic's: OpenAI's input_tokens include cached and cache-written tokens, the cached ones
     * are listed apart; every field is an integer and present (Codex rejects a usage without total_tokens).
     */
    static void usage(ObjectNode response, Usage u) {
        long input = u.inputTokens() + u.cacheReadInputTokens() + u.cacheCreationInputTokens();
        ObjectNode n = response.putObject("usage");
        n.put("input_tokens", input);
        n.putObject("input_tokens_details").put("cached_tokens", u.cacheReadInputTokens());
        n.put("output_tokens", u.outputTokens());
        n.putObject("output_tokens_details").put("reasoning_tokens", 0);
        n.put("total_tokens", input + u.outputTokens());
    }

    /**
     * Sets status and incomplete_details from an Anthropic stop reason: max_tokens and a full context window are
     * {@code incomplete / max_output_tokens}, a refusal {@code incomplete / content_filter}, anything else completed.
     */
    static void stop(ObjectNode response, @Nullable String stopReason) {
        String reason = stopReason == null ? "" : stopReason;
        String incomplete =
                switch (reason) {
                    case "max_tokens", "model_context_window_exceeded" -> "max_output_tokens";
                    case "refusal" -> "content_filter";
                    default -> null;
                };
        if (incomplete == null) {
            response.put("status", COMPLETED);
        } else {
            response.put("status", INCOMPLETE);
            response.putObject("incomplete_details").put("reason", incomplete);
        }
    }

    /**
     * The freeform input of a custom tool call from the JSON the upstream model wrote: the {@code input} string, else
     * the only string member, else the JSON text itself (so nothing the model wrote is lost).
     */
    static String customInput(String argumentsJson) {
        if (argumentsJson.isBlank()) {
            return "";
        }
        JsonNode n;
        try {
            n = JSON.readTree(argumentsJson);
        } catch (IOException e) {
            return argumentsJson;
        }
        if (n != null && n.isObject()) {
            if (n.path("input").isTextual()) {
                return n.path("input").asText();
            }
            if (n.size() == 1) {
                Iterator<Map.Entry<String, JsonNode>> it = n.fields();
                JsonNode only = it.next().getValue();
                if (only.isTextual()) {
                    return only.asText();
                }
            }
        }
        return argumentsJson;
    }

    /** An id-safe form of an upstream id: {@code [A-Za-z0-9_-]} only, without Anthropic's {@code msg_} prefix. */
    static String idBase(String upstreamId) {
        String s = upstreamId.startsWith("msg_") ? upstreamId.substring(4) : upstreamId;
        return StableIds.idCharacters(s);
    }

    /** OpenAI error codes for Anthropic error types, chosen so Codex classifies the failure (retry, overload, …). */
    static String errorCode(String anthropicType, String message) {
        return switch (anthropicType) {
            case "overloaded_error" -> "server_is_overloaded";
            case "rate_limit_error" -> "rate_limit_exceeded";
            case "invalid_request_error" ->
                message.contains("prompt is too long") ? "context_length_exceeded" : "invalid_request_error";
            default -> "server_error";
        };
    }
}
