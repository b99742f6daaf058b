package io.relaygate.codec.chat;

import static io.relaygate.codec.chat.AnthropicToChatRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.sse.SseEvent;
import io.relaygate.codec.sse.SseWriter;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Transcodes an Anthropic Messages stream into OpenAI {@code chat.completion.chunk}s: a role chunk first, text as
 * {@code content}, thinking as {@code reasoning_content}, each tool_use block as a tool call with dense 0-based
 * indices (id and name in its first fragment, then argument fragments), a finish chunk, the usage chunk when the
 * client asked for {@code stream_options.include_usage}, and {@code data: [DONE]}. Output goes to the sink as complete
 * SSE bytes, which the caller owns.
 */
public final class AnthropicToChatStream implements StreamTranscoder {

    /** OpenAI's end of a Chat stream: a data-only event whose data is not JSON. */
    private static final byte[] DONE_EVENT = SseWriter.bytes(SseEvent.data("[DONE]"));

    private enum State {
        INITIAL,
        STREAMING,
        DONE
    }

    private final String clientModel;
    private final boolean includeUsage;
    private final Consumer<byte[]> sink;
    private State state = State.INITIAL;
    private String id = "chatcmpl-" + Ids.unique(24);
    private final long created = System.currentTimeMillis() / 1000;
    private int toolIndex = -1;
    private String finishReason = "stop";
    private long input;
    private long output;
    private long cacheCreation;
    private long cacheRead;

    public AnthropicToChatStream(String clientModel, boolean includeUsage, Consumer<byte[]> sink) {
        this.clientModel = requireNonNull(clientModel, "clientModel");
        this.includeUsage = includeUsage;
        this.sink = requireNonNull(sink, "sink");
    }

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        if (state == State.DONE) {
            return;
        }
        JsonNode ev;
        try {
            ev = JSON.readTree(data, offset, length);
        } catch (IOException e) {
            return;
        }
        if (ev == null) {
            return;
        }
        String type = eventName.isEmpty() ? ev.path("type").asText("") : eventName;
        switch (type) {
            case "message_start" -> {
                JsonNode msg = ev.path("message");
                String upstreamId = msg.path("id").asText("");
                if (!upstreamId.isEmpty()) {
                    id = "chatcmpl-" + upstreamId.replaceAll("[^A-Za-z0-9_-]", "");
                }
                readUsage(msg.path("usage"));
                start();
            }
            case "content_block_start" -> {
                start();
                JsonNode block = ev.path("content_block");
                if ("tool_use".equals(block.path("type").asText())) {
                    toolIndex++;
                    ObjectNode c = chunk();
                    ObjectNode call = delta(c).putArray("tool_calls").addObject();
                    call.put("index", toolIndex)
                            .put("id", block.path("id").asText())
                            .put("type", "function");
                    call.putObject("function")
                            .put("name", block.path("name").asText())
                            .put("arguments", "");
                    emit(c);
                }
            }
            case "content_block_delta" -> {
                start();
                JsonNode d = ev.path("delta");
                switch (d.path("type").asText("")) {
                    case "text_delta" -> emitDelta("content", d.path("text").asText());
                    case "thinking_delta" ->
                        emitDelta("reasoning_content", d.path("thinking").asText());
                    case "input_json_delta" -> {
                        String part = d.path("partial_json").asText("");
                        if (!part.isEmpty() && toolIndex >= 0) {
                            ObjectNode c = chunk();
                            ObjectNode call = delta(c).putArray("tool_calls").addObject();
                            call.put("index", toolIndex);
                            call.putObject("function").put("arguments", part);
                            emit(c);
                        }
                    }
                    default -> {
                        // signature_delta, citations: nothing in Chat.
                    }
                }
            }
            case "message_delta" -> {
                finishReason = finishReason(ev.path("delta").path("stop_reason").asText("end_turn"));
                readUsage(ev.path("usage"));
            }
            case "message_stop" -> finish();
            case "error" -> fail(ev.path("error").path("message").asText("upstream error"));
            default -> {
                // ping, content_block_stop
            }
        }
    }

    /** Ends the stream well-formed: finish chunk, usage chunk if asked for, {@code [DONE]}. */
    @Override
    public void finish() {
        if (state == State.DONE) {
            return;
        }
        start();
        ObjectNode last = chunk();
        ((ObjectNode) last.path("choices").get(0)).put("finish_reason", finishReason);
        emit(last);
        if (includeUsage) {
            ObjectNode u = base();
            u.putArray("choices");
            usageTo(u);
            emit(u);
        }
        sink.accept(DONE_EVENT.clone());
        state = State.DONE;
    }

    /** The upstream failed mid-stream: an OpenAI error object as the last data line, then {@code [DONE]}. */
    @Override
    public void fail(String message) {
        if (state == State.DONE) {
            return;
        }
        ObjectNode err = JSON.createObjectNode();
        err.putObject("error")
                .put("message", message)
                .put("type", "server_error")
                .putNull("param")
                .put("code", "server_error");
        emit(err);
        sink.accept(DONE_EVENT.clone());
        state = State.DONE;
    }

    @Override
    public Usage usage() {
        return new Usage(input, output, cacheCreation, cacheRead);
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    static String finishReason(String stopReason) {
        return switch (stopReason) {
            case "max_tokens", "model_context_window_exceeded" -> "length";
            case "tool_use" -> "tool_calls";
            case "refusal" -> "content_filter";
            default -> "stop";
        };
    }

    private void readUsage(JsonNode u) {
        if (!u.isObject()) {
            return;
        }
        if (u.path("input_tokens").isIntegralNumber()) {
            input = u.path("input_tokens").asLong();
        }
        if (u.path("output_tokens").isIntegralNumber()) {
            output = u.path("output_tokens").asLong();
        }
        if (u.path("cache_creation_input_tokens").isIntegralNumber()) {
            cacheCreation = u.path("cache_creation_input_tokens").asLong();
        }
        if (u.path("cache_read_input_tokens").isIntegralNumber()) {
            cacheRead = u.path("cache_read_input_tokens").asLong();
        }
    }

    /** OpenAI usage: prompt tokens include cached and cache-written ones; cached ones are also listed apart. */
    void usageTo(ObjectNode n) {
        long prompt = input + cacheCreation + cacheRead;
        ObjectNode u = n.putObject("usage");
        u.put("prompt_tokens", prompt).put("completion_tokens", output).put("total_tokens", prompt + output);
        u.putObject("prompt_tokens_details").put("cached_tokens", cacheRead);
    }

    private void start() {
        if (state != State.INITIAL) {
            return;
        }
        ObjectNode c = chunk();
        delta(c).put("role", "assistant").put("content", "");
        emit(c);
        state = State.STREAMING;
    }

    private void emitDelta(String field, String value) {
        if (value.isEmpty()) {
            return;
        }
        ObjectNode c = chunk();
        delta(c).put(field, value);
        emit(c);
    }

    private ObjectNode base() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id)
                .put("object", "chat.completion.chunk")
                .put("created", created)
                .put("model", clientModel)
                .putNull("system_fingerprint");
        return n;
    }

    private ObjectNode chunk() {
        ObjectNode c = base();
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        if (includeUsage) {
            c.putNull("usage");
        }
        return c;
    }

    private static ObjectNode delta(ObjectNode chunk) {
        return (ObjectNode) chunk.path("choices").get(0).path("delta");
    }

    private void emit(ObjectNode data) {
        sink.accept(SseWriter.bytes("", data.toString()));
    }
}
