package io.relaygate.codec.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStart;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStop;
import io.relaygate.codec.anthropic.AnthropicEvent.ContentBlock;
import io.relaygate.codec.anthropic.AnthropicEvent.DeltaKind;
import io.relaygate.codec.anthropic.AnthropicEvent.ErrorEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStart;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStop;
import io.relaygate.codec.anthropic.AnthropicEvent.Tokens;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Reads one framed Anthropic SSE event (from {@code SseEventParser}) into an {@link AnthropicEvent}. Lenient, as the
 * transcoders always were: data that is not a JSON object, {@code ping} and unknown events read as nothing; missing
 * strings read as {@code ""}. Stateless.
 */
public final class AnthropicEventReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnthropicEventReader() {}

    /**
     * The event, or null when it is nothing a transcoder acts on. The type is the SSE event name, or the data's
     * {@code type} when the event had no name (or the default name {@code message}): Anthropic always names its
     * events, a data-only stream still carries the type in the JSON.
     */
    public static @Nullable AnthropicEvent read(String eventName, byte[] data, int offset, int length) {
        JsonNode ev;
        try {
            ev = JSON.readTree(data, offset, length);
        } catch (IOException e) {
            return null;
        }
        if (ev == null || !ev.isObject()) {
            return null;
        }
        String type = eventName.isEmpty() || eventName.equals("message")
                ? ev.path("type").asText("")
                : eventName;
        return switch (type) {
            case "message_start" -> {
                JsonNode msg = ev.path("message");
                yield new MessageStart(
                        msg.path("id").asText(""), msg.path("model").asText(""), tokens(msg.path("usage")));
            }
            case "content_block_start" -> new BlockStart(index(ev), block(ev.path("content_block")));
            case "content_block_delta" -> {
                JsonNode d = ev.path("delta");
                DeltaKind kind = DeltaKind.of(d.path("type").asText(""));
                yield new BlockDelta(
                        index(ev),
                        kind,
                        kind == DeltaKind.OTHER ? "" : d.path(kind.field).asText(""));
            }
            case "content_block_stop" -> new BlockStop(index(ev));
            case "message_delta" -> {
                JsonNode reason = ev.path("delta").path("stop_reason");
                yield new MessageDelta(reason.isTextual() ? reason.asText() : null, tokens(ev.path("usage")));
            }
            case "message_stop" -> MessageStop.INSTANCE;
            case "error" -> {
                JsonNode err = ev.path("error");
                yield new ErrorEvent(
                        err.path("type").asText(""), err.path("message").asText("upstream error"));
            }
            default -> null; // ping and event types added later carry nothing for another format
        };
    }

    private static int index(JsonNode ev) {
        return ev.path("index").asInt(0);
    }

    private static ContentBlock block(JsonNode block) {
        String type = block.path("type").asText("");
        return switch (type) {
            case "text" -> new AnthropicEvent.Text(block.path("text").asText(""));
            case "thinking" ->
                new AnthropicEvent.Thinking(
                        block.path("thinking").asText(""),
                        block.path("signature").asText(""));
            case "redacted_thinking" ->
                new AnthropicEvent.RedactedThinking(block.path("data").asText(""));
            case "tool_use" ->
                new AnthropicEvent.ToolUse(
                        block.path("id").asText(""), block.path("name").asText(""), block.path("input"));
            default -> new AnthropicEvent.OtherBlock(type);
        };
    }

    /** Each count that is an integer; anything else is absent. */
    private static Tokens tokens(JsonNode u) {
        if (!u.isObject()) {
            return Tokens.NONE;
        }
        return new Tokens(
                count(u, "input_tokens"),
                count(u, "output_tokens"),
                count(u, "cache_creation_input_tokens"),
                count(u, "cache_read_input_tokens"));
    }

    private static long count(JsonNode u, String field) {
        JsonNode n = u.path(field);
        return n.isIntegralNumber() ? n.asLong() : Tokens.ABSENT;
    }
}
