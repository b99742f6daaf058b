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
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Transcodes an OpenAI Chat Completions stream ({@code chat.completion.chunk} events, fed by {@code SseEventParser})
 * into the Anthropic Messages event sequence: {@code message_start}, then per content block
 * {@code content_block_start} · {@code content_block_delta}… · {@code content_block_stop} with dense indices, then
 * {@code message_delta} (stop reason, usage) and {@code message_stop}.
 *
 * <p>{@code reasoning_content} becomes a thinking block, {@code content} a text block, each tool call a tool_use block
 * whose argument fragments arrive as {@code input_json_delta}s (the first one empty, as Anthropic sends it).
 *
 * <p>Chunk grammar lets a server open several tool calls in one chunk and interleave their argument fragments (index 1,
 * then 0, …), while an Anthropic stream has one open block at a time. The first call streams as the open block; a
 * fragment for another call is held until the open call's arguments are one whole JSON value (then the open block
 * closes and the held call opens with everything held in one delta) or the calls end (text, {@code [DONE]}), when each
 * held call is sent as one block. Sequential calls therefore still stream fragment by fragment; interleaved ones arrive
 * whole. Output
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
    private int lastToolIndex = -1;
    /** The tool calls by index, in order of first appearance. */
    private final Map<Integer, ChatToolCall> toolCalls = new LinkedHashMap<>();

    private @Nullable ChatToolCall openCall;
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
            open(State.IN_THINKING);
            emitDelta(DeltaKind.THINKING, reasoning);
        }
        JsonNode content = delta.path("content");
        if (content.isTextual() && !content.asText().isEmpty()) {
            open(State.IN_TEXT);
            emitDelta(DeltaKind.TEXT, content.asText());
        }
        for (JsonNode call : delta.path("tool_calls")) {
            toolFragment(call);
        }
        if (choice.hasNonNull("finish_reason")) {
            stopReason = stopReason(choice.path("finish_reason").asText());
        }
        JsonNode usage = chunk.path("usage");
        if (usage.isObject()) {
            // A negative count (a broken server) counts as none: usage is never negative (Usage refuses it).
            promptTokens = Math.max(0, usage.path("prompt_tokens").asLong(0));
            completionTokens = Math.max(0, usage.path("completion_tokens").asLong(0));
            cachedTokens = Math.max(
                    0, usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        }
    }

    /** The upstream stream ended (with or without {@code [DONE]}): closes the message well-formed. */
    @Override
    public void finish() {
        if (state == State.DONE) {
            return;
        }
        start("");
        sendHeldCalls();
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

    /** Opens a thinking or text block unless one of that kind is open already; held tool calls go first. */
    private void open(State kind) {
        if (state == kind) {
            return;
        }
        sendHeldCalls();
        blockIndex++;
        ContentBlock block = kind == State.IN_THINKING ? AnthropicEvent.Thinking.EMPTY : AnthropicEvent.Text.EMPTY;
        out.onAnthropicEvent(new BlockStart(blockIndex, block));
        state = kind;
    }

    /**
     * One entry of {@code delta.tool_calls}: streams it into the open tool block, holds it while another call's
     * arguments are unfinished, or opens its block (a call without {@code index} is a new call, as some servers send).
     */
    private void toolFragment(JsonNode fragment) {
        int index = fragment.path("index").asInt(lastToolIndex + 1);
        lastToolIndex = index;
        ChatToolCall call = toolCalls.computeIfAbsent(index, ChatToolCall::new);
        JsonNode function = fragment.path("function");
        call.learn(fragment.path("id").asText(""), function.path("name").asText(""));
        String args = function.path("arguments").asText("");
        call.arguments.feed(args);
        deltas += args.isEmpty() ? 0 : 1;
        switch (call.phase) {
            case OPEN -> emitArguments(args);
            case SENT -> {
                // Its arguments were already whole when its block closed: anything more cannot be part of them.
            }
            case HELD -> {
                call.held.append(args);
                ChatToolCall open = openCall;
                if (open == null || open.arguments.complete()) {
                    openTool(call);
                }
            }
        }
    }

    /** Opens {@code call}'s tool_use block and sends what was held of its arguments as one delta. */
    private void openTool(ChatToolCall call) {
        closeBlock();
        blockIndex++;
        out.onAnthropicEvent(
                new BlockStart(blockIndex, AnthropicEvent.ToolUse.start(call.id, toolNames.restore(call.name))));
        state = State.IN_TOOL;
        call.phase = ChatToolCall.Phase.OPEN;
        openCall = call;
        // Anthropic's first input_json_delta of a tool block is empty; clients tolerate it, some expect it.
        out.onAnthropicEvent(new BlockDelta(blockIndex, DeltaKind.INPUT_JSON, ""));
        emitArguments(call.held.toString());
        call.held.setLength(0);
    }

    private void emitArguments(String args) {
        if (!args.isEmpty()) {
            out.onAnthropicEvent(new BlockDelta(blockIndex, DeltaKind.INPUT_JSON, args));
        }
    }

    /** Closes the open block and sends each held tool call as a whole block, in order of first appearance. */
    private void sendHeldCalls() {
        closeBlock();
        for (ChatToolCall call : toolCalls.values()) {
            if (call.phase == ChatToolCall.Phase.HELD) {
                openTool(call);
                closeBlock();
            }
        }
    }

    private void closeBlock() {
        if (state == State.IN_TEXT || state == State.IN_THINKING || state == State.IN_TOOL) {
            out.onAnthropicEvent(new BlockStop(blockIndex));
            state = State.BETWEEN_BLOCKS;
        }
        ChatToolCall open = openCall;
        if (open != null) {
            open.phase = ChatToolCall.Phase.SENT;
            openCall = null;
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
