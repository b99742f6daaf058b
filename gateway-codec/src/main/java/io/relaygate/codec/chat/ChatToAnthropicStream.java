package io.relaygate.codec.chat;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.relaygate.codec.anthropic.AnthropicEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStart;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStop;
import io.relaygate.codec.anthropic.AnthropicEvent.ContentBlock;
import io.relaygate.codec.anthropic.AnthropicEvent.DeltaKind;
import io.relaygate.codec.anthropic.AnthropicEvent.ErrorEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStop;
import io.relaygate.codec.anthropic.AnthropicEvent.Tokens;
import io.relaygate.codec.anthropic.AnthropicEventListener;
import io.relaygate.codec.anthropic.AnthropicEventWriter;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Transcodes an OpenAI Chat Completions stream ({@code chat.completion.chunk} events, fed by {@code SseEventParser})
 * into the Anthropic Messages event sequence: {@code message_start}, then per content block
 * {@code content_block_start} · {@code content_block_delta}… · {@code content_block_stop} with dense indices, then
 * {@code message_delta} (stop reason, usage) and {@code message_stop}.
 *
 * <p>{@code reasoning_content} becomes a thinking block, {@code content} a text block, each tool call a tool_use block
 * whose argument fragments arrive as {@code input_json_delta}s (the first one empty, as Anthropic sends it). Output
 * goes to an {@link AnthropicEventListener} as events: an {@link AnthropicEventWriter} for an Anthropic client, or the
 * next transcoder when the client speaks a third format.
 */
public final class ChatToAnthropicStream implements StreamTranscoder {

    private enum State {
        /** Nothing sent yet. */
        INITIAL,
        /** message_start sent, no block open. */
        BETWEEN_BLOCKS,
        IN_THINKING,
        IN_TEXT,
        IN_TOOL,
        /** message_stop or error sent: everything after is ignored. */
        DONE
    }

    private final String clientModel;
    private final ToolNames toolNames;
    private final AnthropicEventListener out;
    private State state = State.INITIAL;
    private int blockIndex = -1;
    private int toolIndex = -1;
    private @Nullable String stopReason;
    private long promptTokens = -1;
    private long completionTokens;
    private long cachedTokens;
    private long deltas;

    /**
     * @param clientModel the model name the client asked for, shown back to it
     * @param toolNames the request's tool-name shortening, to restore long names
     * @param out receives each output event
     */
    public ChatToAnthropicStream(String clientModel, ToolNames toolNames, AnthropicEventListener out) {
        this.clientModel = requireNonNull(clientModel, "clientModel");
        this.toolNames = requireNonNull(toolNames, "toolNames");
        this.out = requireNonNull(out, "out");
    }

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        if (state == State.DONE) {
            return;
        }
        String text = new String(data, offset, length, StandardCharsets.UTF_8).trim();
        if (text.equals("[DONE]")) {
            finish();
            return;
        }
        JsonNode chunk;
        try {
            chunk = AnthropicToChatRequest.JSON.readTree(text);
        } catch (IOException e) {
            return;
        }
        if (chunk == null || !chunk.isObject()) {
            return;
        }
        if (chunk.path("error").isObject()) {
            fail(chunk.path("error").path("message").asText("upstream error"));
            return;
        }
        start(chunk.path("id").asText(""));
        JsonNode choice = chunk.path("choices").path(0);
        JsonNode delta = choice.path("delta");
        String reasoning = firstText(delta, "reasoning_content", "reasoning");
        if (reasoning != null && !reasoning.isEmpty()) {
            open(State.IN_THINKING, null);
            emitDelta(DeltaKind.THINKING, reasoning);
        }
        JsonNode content = delta.path("content");
        if (content.isTextual() && !content.asText().isEmpty()) {
            open(State.IN_TEXT, null);
            emitDelta(DeltaKind.TEXT, content.asText());
        }
        for (JsonNode call : delta.path("tool_calls")) {
            int index = call.path("index").asInt(toolIndex + 1);
            if (index != toolIndex || state != State.IN_TOOL) {
                toolIndex = index;
                open(State.IN_TOOL, call);
            }
            String args = call.path("function").path("arguments").asText("");
            if (!args.isEmpty()) {
                emitDelta(DeltaKind.INPUT_JSON, args);
            }
        }
        if (choice.hasNonNull("finish_reason")) {
            stopReason = stopReason(choice.path("finish_reason").asText());
        }
        JsonNode usage = chunk.path("usage");
        if (usage.isObject()) {
            promptTokens = usage.path("prompt_tokens").asLong(0);
            completionTokens = usage.path("completion_tokens").asLong(0);
            cachedTokens =
                    usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
        }
    }

    /** The upstream stream ended (with or without {@code [DONE]}): closes the message well-formed. */
    @Override
    public void finish() {
        if (state == State.DONE) {
            return;
        }
        start("");
        closeBlock();
        out.onAnthropicEvent(new MessageDelta(stopReason == null ? "end_turn" : stopReason, Tokens.ofDelta(usage())));
        out.onAnthropicEvent(MessageStop.INSTANCE);
        state = State.DONE;
    }

    /** The upstream failed mid-stream: ends the client's stream with an Anthropic {@code error} event. */
    @Override
    public void fail(String message) {
        if (state == State.DONE) {
            return;
        }
        start("");
        closeBlock();
        out.onAnthropicEvent(new ErrorEvent("api_error", message));
        state = State.DONE;
    }

    /**
     * Tokens so far. Without an upstream usage chunk, output is estimated as one token per content delta and input
     * is 0 (unknown).
     */
    @Override
    public Usage usage() {
        if (promptTokens < 0) {
            return new Usage(0, deltas, 0, 0);
        }
        return new Usage(Math.max(0, promptTokens - cachedTokens), completionTokens, 0, cachedTokens);
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    static String stopReason(String finishReason) {
        return switch (finishReason) {
            case "length" -> "max_tokens";
            case "tool_calls", "function_call" -> "tool_use";
            case "content_filter" -> "refusal";
            default -> "end_turn";
        };
    }

    private void start(String upstreamId) {
        if (state != State.INITIAL) {
            return;
        }
        out.onAnthropicEvent(AnthropicEvent.messageStart(AnthropicEvent.messageId(upstreamId), clientModel));
        state = State.BETWEEN_BLOCKS;
    }

    /** Opens a block of {@code kind} unless one is open already (a new tool call always opens a new block). */
    private void open(State kind, @Nullable JsonNode toolCall) {
        if (state == kind && kind != State.IN_TOOL) {
            return;
        }
        closeBlock();
        blockIndex++;
        ContentBlock block =
                switch (kind) {
                    case IN_THINKING -> AnthropicEvent.Thinking.EMPTY;
                    case IN_TEXT -> AnthropicEvent.Text.EMPTY;
                    default -> {
                        JsonNode call = requireNonNull(toolCall, "toolCall");
                        yield AnthropicEvent.ToolUse.start(
                                call.path("id").asText(""),
                                toolNames.restore(
                                        call.path("function").path("name").asText("")));
                    }
                };
        out.onAnthropicEvent(new BlockStart(blockIndex, block));
        state = kind;
        if (kind == State.IN_TOOL) {
            // Anthropic's first input_json_delta of a tool block is empty; clients tolerate it, some expect it.
            emitDelta(DeltaKind.INPUT_JSON, "");
            deltas--;
        }
    }

    private void closeBlock() {
        if (state == State.IN_TEXT || state == State.IN_THINKING || state == State.IN_TOOL) {
            out.onAnthropicEvent(new BlockStop(blockIndex));
            state = State.BETWEEN_BLOCKS;
        }
    }

    private void emitDelta(DeltaKind kind, String value) {
        out.onAnthropicEvent(new BlockDelta(blockIndex, kind, value));
        deltas++;
    }

    private static @Nullable String firstText(JsonNode node, String... names) {
        for (String n : names) {
            JsonNode v = node.path(n);
            if (v.isTextual()) {
                return v.asText();
            }
        }
        return null;
    }
}
