package io.relaygate.codec.chat;

import static io.relaygate.codec.chat.AnthropicToChatRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStart;
import io.relaygate.codec.anthropic.AnthropicEvent.ErrorEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStart;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStop;
import io.relaygate.codec.anthropic.AnthropicEvent.Tokens;
import io.relaygate.codec.anthropic.AnthropicEvent.ToolUse;
import io.relaygate.codec.anthropic.AnthropicEventListener;
import io.relaygate.codec.anthropic.AnthropicEventReader;
import io.relaygate.codec.json.StableIds;
import io.relaygate.codec.sse.SseEvent;
import io.relaygate.codec.sse.SseWriter;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import java.util.function.Consumer;

/**
 * Transcodes an Anthropic Messages stream into OpenAI {@code chat.completion.chunk}s: a role chunk first, text as
 * {@code content}, thinking as {@code reasoning_content}, each tool_use block as a tool call with dense 0-based
 * indices (id and name in its first fragment, then argument fragments), a finish chunk, the usage chunk when the
 * client asked for {@code stream_options.include_usage}, and {@code data: [DONE]}. Input is SSE events (read by
 * {@link AnthropicEventReader}) or, behind another transcoder, the events themselves. Output goes to the sink as
 * complete SSE bytes, which the caller owns.
 */
public final class AnthropicToChatStream implements StreamTranscoder, AnthropicEventListener {

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
        AnthropicEvent event = AnthropicEventReader.read(eventName, data, offset, length);
        if (event != null) {
            onAnthropicEvent(event);
        }
    }

    @Override
    public void onAnthropicEvent(AnthropicEvent event) {
        if (state == State.DONE) {
            return;
        }
        if (event instanceof MessageStart s) {
            if (!s.id().isEmpty()) {
                id = "chatcmpl-" + StableIds.idCharacters(s.id());
            }
            readUsage(s.usage());
            start();
        } else if (event instanceof BlockStart s) {
            start();
            if (s.block() instanceof ToolUse tool) {
                toolIndex++;
                ObjectNode c = chunk();
                ObjectNode call = delta(c).putArray("tool_calls").addObject();
                call.put("index", toolIndex).put("id", tool.id()).put("type", "function");
                call.putObject("function").put("name", tool.name()).put("arguments", "");
                emit(c);
            }
        } else if (event instanceof BlockDelta d) {
            start();
            switch (d.kind()) {
                case TEXT -> emitDelta("content", d.value());
                case THINKING -> emitDelta("reasoning_content", d.value());
                case INPUT_JSON -> {
                    if (!d.value().isEmpty() && toolIndex >= 0) {
                        ObjectNode c = chunk();
                        ObjectNode call = delta(c).putArray("tool_calls").addObject();
                        call.put("index", toolIndex);
                        call.putObject("function").put("arguments", d.value());
                        emit(c);
                    }
                }
                default -> {
                    // signature_delta, citations: nothing in Chat.
                }
            }
        } else if (event instanceof MessageDelta d) {
            String reason = d.stopReason();
            finishReason = finishReason(reason == null ? "end_turn" : reason);
            readUsage(d.usage());
        } else if (event instanceof MessageStop) {
            finish();
        } else if (event instanceof ErrorEvent e) {
            fail(e.message());
        }
        // content_block_stop: nothing in Chat.
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

    /** Anthropic's usage is cumulative: a count present replaces the one before. */
    private void readUsage(Tokens u) {
        input = u.inputOr(input);
        output = u.outputOr(output);
        cacheCreation = u.cacheCreationOr(cacheCreation);
        cacheRead = u.cacheReadOr(cacheRead);
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
