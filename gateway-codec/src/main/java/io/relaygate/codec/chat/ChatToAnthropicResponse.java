package io.relaygate.codec.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicEvent;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import java.io.IOException;

/** Maps a whole {@code chat.completion} to an Anthropic {@code message}, the non-streaming twin of the transcoder. */
public final class ChatToAnthropicResponse {

    private ChatToAnthropicResponse() {}

    public static ObjectNode map(JsonNode completion, String clientModel, ToolNames toolNames) {
        requireNonNull(completion, "completion");
        JsonNode choice = completion.path("choices").path(0);
        JsonNode message = choice.path("message");
        ObjectNode out = AnthropicToChatRequest.JSON.createObjectNode();
        out.put("id", AnthropicEvent.messageId(completion.path("id").asText("")))
                .put("type", "message")
                .put("role", "assistant")
                .put("model", clientModel);
        ArrayNode content = out.putArray("content");
        JsonNode reasoning = message.path("reasoning_content");
        if (reasoning.isTextual() && !reasoning.asText().isEmpty()) {
            content.addObject()
                    .put("type", "thinking")
                    .put("thinking", reasoning.asText())
                    .put("signature", "");
        }
        if (message.path("content").isTextual()
                && !message.path("content").asText().isEmpty()) {
            content.addObject()
                    .put("type", "text")
                    .put("text", message.path("content").asText());
        }
        for (JsonNode call : message.path("tool_calls")) {
            ObjectNode block = content.addObject()
                    .put("type", "tool_use")
                    .put("id", call.path("id").asText("toolu_" + Ids.unique(24)))
                    .put(
                            "name",
                            toolNames.restore(call.path("function").path("name").asText("")));
            String args = call.path("function").path("arguments").asText("");
            JsonNode input;
            try {
                input = args.isBlank() ? null : AnthropicToChatRequest.JSON.readTree(args);
            } catch (IOException e) {
                input = null;
            }
            if (input != null && input.isObject()) {
                block.set("input", input);
            } else {
                // Invalid JSON arguments (a truncated generation): keep the raw text where a client can see it.
                block.putObject("input").put("_raw_arguments", args);
            }
        }
        out.put(
                "stop_reason",
                ChatToAnthropicStream.stopReason(choice.path("finish_reason").asText("stop")));
        out.putNull("stop_sequence");
        Usage u = usage(completion);
        out.putObject("usage")
                .put("input_tokens", u.inputTokens())
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", u.cacheReadInputTokens())
                .put("output_tokens", u.outputTokens());
        return out;
    }

    /** The completion's usage in Anthropic terms: cached prompt tokens count as cache reads, not input. */
    public static Usage usage(JsonNode completion) {
        JsonNode u = completion.path("usage");
        long prompt = u.path("prompt_tokens").asLong(0);
        long cached = u.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        return new Usage(
                Math.max(0, prompt - cached), u.path("completion_tokens").asLong(0), 0, cached);
    }
}
