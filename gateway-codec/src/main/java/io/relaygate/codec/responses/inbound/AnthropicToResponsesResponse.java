package io.relaygate.codec.responses.inbound;

import static io.relaygate.codec.responses.inbound.OutputItems.COMPLETED;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import java.time.Clock;

/**
 * Maps a whole Anthropic {@code message} to a Responses {@code response} object, the non-streaming twin of
 * {@link AnthropicToResponsesStream}: the same output items (text → message, thinking → reasoning, tool_use →
 * function_call or custom_tool_call), status and usage.
 */
public final class AnthropicToResponsesResponse {

    private AnthropicToResponsesResponse() {}

    public static ObjectNode map(JsonNode anthropicMessage, String clientModel, ResponsesTools tools) {
        return map(anthropicMessage, clientModel, tools, Clock.systemUTC());
    }

    static ObjectNode map(JsonNode message, String clientModel, ResponsesTools tools, Clock clock) {
        requireNonNull(message, "anthropicMessage");
        requireNonNull(clientModel, "clientModel");
        requireNonNull(tools, "tools");
        String upstreamId = message.path("id").asText("");
        String base = upstreamId.isEmpty() ? Ids.unique(24) : OutputItems.idBase(upstreamId);
        ObjectNode response =
                OutputItems.response("resp_" + base, clock.instant().getEpochSecond(), COMPLETED, clientModel);
        ArrayNode output = response.putArray("output");
        for (JsonNode block : message.path("content")) {
            String id = base + "_" + output.size();
            switch (block.path("type").asText("")) {
                case "text" ->
                    output.add(OutputItems.message(
                            "msg_" + id, COMPLETED, block.path("text").asText("")));
                case "thinking" -> {
                    String sig = block.path("signature").asText("");
                    output.add(OutputItems.reasoning(
                            "rs_" + id,
                            block.path("thinking").asText(""),
                            sig.isEmpty() ? null : OutputItems.THINKING_MARK + sig));
                }
                case "redacted_thinking" ->
                    output.add(OutputItems.reasoning(
                            "rs_" + id,
                            null,
                            OutputItems.REDACTED_MARK + block.path("data").asText("")));
                case "tool_use" -> {
                    String name = block.path("name").asText("");
                    String callId = block.path("id").asText("");
                    JsonNode input = block.path("input");
                    String arguments = input.isObject() ? input.toString() : "{}";
                    if (tools.isCustom(name)) {
                        output.add(OutputItems.customCall(
                                "ctc_" + id,
                                COMPLETED,
                                callId,
                                tools.clientName(name),
                                OutputItems.customInput(arguments)));
                    } else {
                        output.add(OutputItems.functionCall(
                                "fc_" + id,
                                COMPLETED,
                                callId,
                                tools.clientName(name),
                                tools.namespace(name),
                                arguments));
                    }
                }
                default -> {
                    // server tool blocks: the client declared no such tool.
                }
            }
        }
        JsonNode stop = message.path("stop_reason");
        OutputItems.stop(response, stop.isTextual() ? stop.asText() : null);
        OutputItems.usage(response, usage(message));
        return response;
    }

    /** The message's usage in Anthropic terms; absent or negative counts are 0. */
    public static Usage usage(JsonNode anthropicMessage) {
        JsonNode u = anthropicMessage.path("usage");
        return new Usage(
                Math.max(0, u.path("input_tokens").asLong(0)),
                Math.max(0, u.path("output_tokens").asLong(0)),
                Math.max(0, u.path("cache_creation_input_tokens").asLong(0)),
                Math.max(0, u.path("cache_read_input_tokens").asLong(0)));
    }
}
