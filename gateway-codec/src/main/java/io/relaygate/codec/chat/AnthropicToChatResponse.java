package io.relaygate.codec.chat;

import static io.relaygate.codec.chat.AnthropicToChatRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.json.StableIds;
import io.relaygate.core.Usage;

/** Maps a whole Anthropic {@code message} to a {@code chat.completion}, the non-streaming twin of the transcoder. */
public final class AnthropicToChatResponse {

    private AnthropicToChatResponse() {}

    public static ObjectNode map(JsonNode message, String clientModel) {
        requireNonNull(message, "message");
        ObjectNode out = JSON.createObjectNode();
        out.put("id", "chatcmpl-" + StableIds.idCharacters(message.path("id").asText("")))
                .put("object", "chat.completion")
                .put("created", System.currentTimeMillis() / 1000)
                .put("model", clientModel);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode msg = choice.putObject("message").put("role", "assistant");
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        ArrayNode calls = JSON.createArrayNode();
        for (JsonNode block : message.path("content")) {
            switch (block.path("type").asText("")) {
                case "text" -> text.append(block.path("text").asText());
                case "thinking" -> reasoning.append(block.path("thinking").asText());
                case "tool_use" -> {
                    ObjectNode call = calls.addObject()
                            .put("id", block.path("id").asText())
                            .put("type", "function");
                    call.putObject("function")
                            .put("name", block.path("name").asText())
                            .put("arguments", block.path("input").toString());
                }
                default -> {}
            }
        }
        if (text.length() > 0 || calls.isEmpty()) {
            msg.put("content", text.toString());
        } else {
            msg.putNull("content");
        }
        if (reasoning.length() > 0) {
            msg.put("reasoning_content", reasoning.toString());
        }
        msg.putNull("refusal");
        if (!calls.isEmpty()) {
            msg.set("tool_calls", calls);
        }
        choice.putNull("logprobs");
        choice.put(
                "finish_reason",
                AnthropicToChatStream.finishReason(message.path("stop_reason").asText("end_turn")));
        Usage u = usage(message);
        long prompt = u.inputTokens() + u.cacheCreationInputTokens() + u.cacheReadInputTokens();
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", prompt)
                .put("completion_tokens", u.outputTokens())
                .put("total_tokens", prompt + u.outputTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", u.cacheReadInputTokens());
        out.putNull("system_fingerprint");
        return out;
    }

    public static Usage usage(JsonNode message) {
        JsonNode u = message.path("usage");
        return new Usage(
                Math.max(0, u.path("input_tokens").asLong(0)),
                Math.max(0, u.path("output_tokens").asLong(0)),
                Math.max(0, u.path("cache_creation_input_tokens").asLong(0)),
                Math.max(0, u.path("cache_read_input_tokens").asLong(0)));
    }
}
