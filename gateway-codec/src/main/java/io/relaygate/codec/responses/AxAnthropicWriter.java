package io.relaygate.codec.responses;

import static io.relaygate.codec.responses.AnthropicToResponsesRequest.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.sse.SseWriter;
import io.relaygate.core.Usage;
import java.util.function.Consumer;

/**
 * Writes Anthropic Messages stream events as complete SSE frames, each with its {@code event:} line (Claude Code
 * rejects a stream without them and falls back to a non-streaming request). Ordering is the caller's job.
 */
final class AxAnthropicWriter {

    private final Consumer<byte[]> sink;

    AxAnthropicWriter(Consumer<byte[]> sink) {
        this.sink = sink;
    }

    /** {@code message_start} with zero usage: a Responses upstream reports tokens only at the end. */
    void messageStart(String id, String model) {
        ObjectNode msg = JSON.createObjectNode()
                .put("id", id)
                .put("type", "message")
                .put("role", "assistant")
                .put("model", model);
        msg.putArray("content");
        msg.putNull("stop_reason");
        msg.putNull("stop_sequence");
        msg.putObject("usage")
                .put("input_tokens", 0)
                .put("cache_creation_input_tokens", 0)
                .put("cache_read_input_tokens", 0)
                .put("output_tokens", 0);
        ObjectNode ev = JSON.createObjectNode().put("type", "message_start");
        ev.set("message", msg);
        emit("message_start", ev);
    }

    /** {@code content_block_start}; {@code block} fills in the {@code content_block} object. */
    void blockStart(int index, Consumer<ObjectNode> block) {
        ObjectNode ev =
                JSON.createObjectNode().put("type", "content_block_start").put("index", index);
        block.accept(ev.putObject("content_block"));
        emit("content_block_start", ev);
    }

    void delta(int index, String deltaType, String field, String value) {
        ObjectNode ev =
                JSON.createObjectNode().put("type", "content_block_delta").put("index", index);
        ev.putObject("delta").put("type", deltaType).put(field, value);
        emit("content_block_delta", ev);
    }

    void blockStop(int index) {
        emit(
                "content_block_stop",
                JSON.createObjectNode().put("type", "content_block_stop").put("index", index));
    }

    /** {@code message_delta} (stop reason and the whole call's usage; counts in it supersede message_start's). */
    void messageDelta(String stopReason, Usage u) {
        ObjectNode ev = JSON.createObjectNode().put("type", "message_delta");
        ev.putObject("delta").put("stop_reason", stopReason).putNull("stop_sequence");
        ev.putObject("usage")
                .put("input_tokens", u.inputTokens())
                .put("cache_read_input_tokens", u.cacheReadInputTokens())
                .put("output_tokens", u.outputTokens());
        emit("message_delta", ev);
    }

    void messageStop() {
        emit("message_stop", JSON.createObjectNode().put("type", "message_stop"));
    }

    void error(String type, String message) {
        ObjectNode ev = JSON.createObjectNode().put("type", "error");
        ev.putObject("error").put("type", type).put("message", message);
        emit("error", ev);
    }

    private void emit(String name, ObjectNode data) {
        sink.accept(SseWriter.bytes(name, data.toString()));
    }
}
