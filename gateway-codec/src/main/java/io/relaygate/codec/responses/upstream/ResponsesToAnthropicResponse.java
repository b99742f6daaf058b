package io.relaygate.codec.responses.upstream;

import static io.relaygate.codec.responses.upstream.AnthropicToResponsesRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicEvent;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import java.io.IOException;

/**
 * Maps a whole OpenAI Responses {@code response} object to an Anthropic {@code message}, the non-streaming twin of
 * {@link ResponsesToAnthropicStream}. Also fits the {@code response} of a {@code response.completed} event, which is
 * how a non-streaming client is answered from the Codex backend (that backend only streams).
 *
 * <p>Output items in order: {@code reasoning} → thinking block (summary text; signature = encrypted content or
 * empty), {@code message} → text block, {@code function_call} → tool_use (arguments parsed; invalid JSON kept under
 * {@code _raw_arguments}), {@code custom_tool_call} → tool_use with input {@code {"input": "<text>"}}; hosted-tool
 * items are left out.
 */
public final class ResponsesToAnthropicResponse {

    private ResponsesToAnthropicResponse() {}

    /**
     * @param responsesResponse the upstream's {@code response} object
     * @param clientModel the model name the client asked for, shown back to it
     * @param toolNames the request's tool-name shortening, to restore long names
     */
    public static ObjectNode map(JsonNode responsesResponse, String clientModel, ToolNames toolNames) {
        requireNonNull(responsesResponse, "responsesResponse");
        requireNonNull(clientModel, "clientModel");
        requireNonNull(toolNames, "toolNames");
        ObjectNode out = JSON.createObjectNode()
                .put("id", AnthropicEvent.messageId(responsesResponse.path("id").asText("")))
                .put("type", "message")
                .put("role", "assistant")
                .put("model", clientModel);
        ArrayNode content = out.putArray("content");
        boolean toolUse = false;
        for (JsonNode item : responsesResponse.path("output")) {
            switch (item.path("type").asText("")) {
                case "reasoning" -> {
                    String thinking = ResponsesOutput.reasoningText(item);
                    if (!thinking.isEmpty()) {
                        content.addObject()
                                .put("type", "thinking")
                                .put("thinking", thinking)
                                .put("signature", item.path("encrypted_content").asText(""));
                    }
                }
                case "message" -> {
                    String text = ResponsesOutput.messageText(item);
                    if (!text.isEmpty()) {
                        content.addObject().put("type", "text").put("text", text);
                    }
                }
                case "function_call" -> {
                    ObjectNode block = toolUse(content, item, toolNames);
                    String args = item.path("arguments").asText("");
                    JsonNode input = parse(args);
                    if (input.isObject()) {
                        block.set("input", input);
                    } else if (args.isBlank()) {
                        block.putObject("input");
                    } else {
                        // Invalid JSON arguments (a truncated generation): keep the raw text where a client sees it.
                        block.putObject("input").put("_raw_arguments", args);
                    }
                    toolUse = true;
                }
                case "custom_tool_call" -> {
                    toolUse(content, item, toolNames)
                            .putObject("input")
                            .put("input", item.path("input").asText(""));
                    toolUse = true;
                }
                default -> {
                    // web_search_call, file_search_call, image_generation_call …: hosted tools the client never asked
                    // for (the request mapping sends none).
                }
            }
        }
        String incompleteReason =
                responsesResponse.path("incomplete_details").path("reason").asText("");
        out.put(
                "stop_reason",
                ResponsesOutput.stopReason(responsesResponse.path("status").asText(""), incompleteReason, toolUse));
        out.putNull("stop_sequence");
        Usage u = usage(responsesResponse);
        out.putObject("usage")
                .put("input_tokens", u.inputTokens())
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", u.cacheReadInputTokens())
                .put("output_tokens", u.outputTokens());
        return out;
    }

    /** The response's usage in Anthropic terms: cached input tokens count as cache reads, not input. */
    public static Usage usage(JsonNode responsesResponse) {
        requireNonNull(responsesResponse, "responsesResponse");
        JsonNode u = responsesResponse.path("usage");
        return u.isObject() ? ResponsesOutput.usage(u) : Usage.ZERO;
    }

    private static ObjectNode toolUse(ArrayNode content, JsonNode item, ToolNames toolNames) {
        String callId = item.path("call_id").asText("");
        return content.addObject()
                .put("type", "tool_use")
                .put("id", callId.isEmpty() ? "toolu_" + Ids.unique(24) : callId)
                .put("name", toolNames.restore(item.path("name").asText("")));
    }

    private static JsonNode parse(String args) {
        if (args.isBlank()) {
            return JSON.nullNode();
        }
        try {
            JsonNode n = JSON.readTree(args);
            return n == null ? JSON.nullNode() : n;
        } catch (IOException e) {
            return JSON.nullNode();
        }
    }
}
