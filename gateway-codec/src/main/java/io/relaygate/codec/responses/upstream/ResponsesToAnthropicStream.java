package io.relaygate.codec.responses.upstream;

import static io.relaygate.codec.responses.upstream.AnthropicToResponsesRequest.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.chat.ToolNames;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Transcodes an OpenAI Responses stream (semantic events, fed by {@code SseEventParser}) into the Anthropic Messages
 * event sequence Claude Code and the Anthropic SDKs parse: {@code message_start}, then per content block
 * {@code content_block_start} · {@code content_block_delta}… · {@code content_block_stop} with dense indices and no
 * overlap, then {@code message_delta} (stop reason, usage) and {@code message_stop}; every event with its
 * {@code event:} line, which Claude Code requires.
 *
 * <p>Events are recognised by the {@code type} in their data, since an upstream may omit {@code event:} lines.
 * Reasoning summary (or reasoning text) deltas become a thinking block closed by a {@code signature_delta}, as
 * Anthropic's own streams close them; output text (and refusal) deltas a text block; each {@code function_call} item
 * a tool_use block whose id is the call_id and whose arguments arrive as {@code input_json_delta}s (the first one
 * empty); each {@code custom_tool_call} a tool_use block whose input is {@code {"input": "<text>"}}. Text, arguments
 * and summaries that were not streamed as deltas (an upstream sending only {@code response.output_item.done}, or only
 * {@code response.completed}) are sent from those events, so nothing is lost and nothing is sent twice. Output goes to
 * an {@link AnthropicEventListener} as events: an {@link io.relaygate.codec.anthropic.AnthropicEventWriter} for an
 * Anthropic client, or the next transcoder when the client speaks a third format.
 */
public final class ResponsesToAnthropicStream implements StreamTranscoder {

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

    /** Output items tracked per response; an upstream sending more is not reconciled at response.completed. */
    static final int MAX_ITEMS = 1024;

    /** Events with nothing to transcode, skipped on their name without parsing. */
    private static final Set<String> SKIPPED = Set.of(
            "response.content_part.added",
            "response.content_part.done",
            "response.reasoning_summary_part.done",
            "response.output_text.annotation.added");

    private static final String CUSTOM_PREFIX = "{\"input\":\"";
    private static final String CUSTOM_SUFFIX = "\"}";

    private final String clientModel;
    private final ToolNames toolNames;
    private final AnthropicEventListener out;
    private final Map<String, OutputItem> items = new HashMap<>();
    private State state = State.INITIAL;
    private int blockIndex = -1;
    private @Nullable OutputItem open;
    /** Tool calls waiting for the open tool block to finish, in the order they were added. */
    private final ArrayDeque<OutputItem> waiting = new ArrayDeque<>();

    private boolean untracked;
    private boolean toolUse;
    private String status = "";
    private String incompleteReason = "";
    private @Nullable Usage upstreamUsage;
    private long deltas;

    /**
     * @param clientModel the model name the client asked for, shown back to it
     * @param toolNames the request's tool-name shortening, to restore long names
     * @param out receives each output event
     */
    public ResponsesToAnthropicStream(String clientModel, ToolNames toolNames, AnthropicEventListener out) {
        this.clientModel = requireNonNull(clientModel, "clientModel");
        this.toolNames = requireNonNull(toolNames, "toolNames");
        this.out = requireNonNull(out, "out");
    }

    @Override
    public void onEvent(String eventName, byte[] data, int offset, int length) {
        if (state == State.DONE || SKIPPED.contains(eventName)) {
            return;
        }
        JsonNode ev;
        try {
            ev = JSON.readTree(data, offset, length);
        } catch (IOException e) {
            // Not JSON (a comment-like keep-alive, or a [DONE] some servers add): nothing to transcode.
            return;
        }
        if (ev == null || !ev.isObject()) {
            return;
        }
        String type = ev.path("type").asText(eventName);
        // message_start goes first whatever the upstream sends first; created/in_progress carry the response id.
        start(ev.path("response").path("id").asText(""));
        switch (type) {
            case "response.output_item.added" -> itemAdded(ev.path("item"), ev.path("output_index"));
            case "response.output_text.delta", "response.refusal.delta" ->
                text(
                        item(OutputItem.key(ev), OutputItem.Kind.MESSAGE),
                        ev.path("delta").asText(""));
            case "response.output_text.done" ->
                textDone(OutputItem.key(ev), ev.path("text").asText(""));
            case "response.refusal.done" ->
                textDone(OutputItem.key(ev), ev.path("refusal").asText(""));
            case "response.reasoning_summary_text.delta" ->
                thinking(
                        item(OutputItem.key(ev), OutputItem.Kind.REASONING),
                        ev.path("summary_index").asInt(0),
                        ev.path("delta").asText(""));
            case "response.reasoning_text.delta" ->
                thinking(
                        item(OutputItem.key(ev), OutputItem.Kind.REASONING),
                        ev.path("content_index").asInt(0),
                        ev.path("delta").asText(""));
            case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta" ->
                toolInput(items.get(OutputItem.key(ev)), ev.path("delta").asText(""));
            case "response.function_call_arguments.done" ->
                toolInputDone(
                        items.get(OutputItem.key(ev)), ev.path("arguments").asText(""));
            case "response.custom_tool_call_input.done" ->
                toolInputDone(items.get(OutputItem.key(ev)), ev.path("input").asText(""));
            case "response.output_item.done" -> itemDone(ev.path("item"), ev.path("output_index"));
            case "response.completed", "response.incomplete" -> {
                terminal(ev.path("response"));
                finish();
            }
            case "response.failed" -> {
                JsonNode response = ev.path("response");
                readUsage(response);
                JsonNode error = response.path("error");
                fail(
                        ResponsesOutput.errorType(error.path("code").asText("")),
                        error.path("message").asText("upstream response failed"));
            }
            case "error" -> {
                // {"type":"error","code":…,"message":…}; some servers nest it under "error".
                JsonNode error = ev.path("error").isObject() ? ev.path("error") : ev;
                fail(
                        ResponsesOutput.errorType(
                                error.path("code").asText(error.path("type").asText(""))),
                        error.path("message").asText("upstream error"));
            }
            default -> {
                // Hosted-tool progress, annotations and events added later: nothing to show an Anthropic client.
            }
        }
    }

    /** The upstream stream ended (with or without response.completed): closes the message well-formed. */
    @Override
    public void finish() {
        if (state == State.DONE) {
            return;
        }
        start("");
        closeBlock();
        sendWaiting(true);
        out.onAnthropicEvent(new MessageDelta(
                ResponsesOutput.stopReason(status, incompleteReason, toolUse), Tokens.ofDelta(usage())));
        out.onAnthropicEvent(MessageStop.INSTANCE);
        state = State.DONE;
    }

    /** The upstream failed mid-stream: ends the client's stream with an Anthropic {@code api_error} event. */
    @Override
    public void fail(String message) {
        fail("api_error", requireNonNull(message, "message"));
    }

    /**
     * Tokens so far, from the terminal event's usage. Without one, output is estimated as one token per content delta
     * and input is 0 (unknown).
     */
    @Override
    public Usage usage() {
        Usage u = upstreamUsage;
        return u != null ? u : new Usage(0, deltas, 0, 0);
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    private void fail(String errorType, String message) {
        if (state == State.DONE) {
            return;
        }
        start("");
        closeBlock();
        out.onAnthropicEvent(new ErrorEvent(errorType, message));
        state = State.DONE;
    }

    private void start(String upstreamId) {
        if (state == State.INITIAL) {
            out.onAnthropicEvent(AnthropicEvent.messageStart(AnthropicEvent.messageId(upstreamId), clientModel));
            state = State.BETWEEN_BLOCKS;
        }
    }

    private void itemAdded(JsonNode item, JsonNode outputIndex) {
        OutputItem.Kind kind = OutputItem.kind(item.path("type").asText(""));
        if (kind == null) {
            return;
        }
        OutputItem it = item(OutputItem.itemKey(item, outputIndex), kind);
        if (it.tool() && !it.opened && !it.waiting) {
            it.callId = item.path("call_id").asText("");
            it.name = item.path("name").asText("");
            String initial = item.path(it.inputMember()).asText("");
            if (toolUnfinished()) {
                wait(it, initial);
                return;
            }
            openTool(it);
            toolInput(it, initial);
        }
    }

    private void itemDone(JsonNode item, JsonNode outputIndex) {
        OutputItem.Kind kind = OutputItem.kind(item.path("type").asText(""));
        if (kind == null) {
            return;
        }
        OutputItem it = item(OutputItem.itemKey(item, outputIndex), kind);
        if (it.done) {
            return;
        }
        switch (kind) {
            case MESSAGE -> text(it, remainder(it, ResponsesOutput.messageText(item)));
            case REASONING -> {
                String rest = remainder(it, ResponsesOutput.reasoningText(item));
                if (!rest.isEmpty()) {
                    thinking(it, it.summaryIndex < 0 ? 0 : it.summaryIndex, rest);
                }
                it.signature = item.path("encrypted_content").asText("");
            }
            default -> {
                if (!it.opened && !it.waiting) {
                    it.callId = item.path("call_id").asText("");
                    it.name = item.path("name").asText("");
                    if (toolUnfinished()) {
                        wait(it, "");
                    } else {
                        openTool(it);
                    }
                }
                toolInputDone(it, item.path(it.inputMember()).asText(""));
            }
        }
        if (open == it) {
            closeBlock();
        }
        it.done = true;
        sendWaiting(false);
    }

    /** Whether a tool block is open whose item has not finished: another tool call must wait for it. */
    private boolean toolUnfinished() {
        OutputItem o = open;
        return o != null && state == State.IN_TOOL && !o.done;
    }

    private void wait(OutputItem it, String input) {
        it.waiting = true;
        it.held.append(input);
        waiting.add(it);
    }

    /**
     * Opens the waiting tool calls' blocks in order, each with its held input as one delta: while the open tool block
     * is not unfinished, or all of them ({@code all}: the stream is ending). A finished one is closed at once; an
     * unfinished one stays open and streams on.
     */
    private void sendWaiting(boolean all) {
        while (!waiting.isEmpty() && (all || !toolUnfinished())) {
            OutputItem w = waiting.poll();
            w.waiting = false;
            openTool(w);
            String input = w.held.toString();
            w.held.setLength(0);
            toolInput(w, input);
            if (w.done || all) {
                closeBlock();
            }
        }
    }

    /** response.completed / response.incomplete: status, usage, and any output item not streamed before. */
    private void terminal(JsonNode response) {
        status = response.path("status").asText("");
        incompleteReason = response.path("incomplete_details").path("reason").asText("");
        readUsage(response);
        if (untracked) {
            return;
        }
        JsonNode output = response.path("output");
        for (int i = 0; i < output.size(); i++) {
            itemDone(output.get(i), JSON.getNodeFactory().numberNode(i));
        }
    }

    private void readUsage(JsonNode response) {
        JsonNode u = response.path("usage");
        if (u.isObject()) {
            upstreamUsage = ResponsesOutput.usage(u);
        }
    }

    private void text(OutputItem it, String delta) {
        if (delta.isEmpty()) {
            return;
        }
        ensureOpen(it, State.IN_TEXT);
        emitDelta(DeltaKind.TEXT, delta);
        it.sent += delta.length();
    }

    private void textDone(String key, String full) {
        text(item(key, OutputItem.Kind.MESSAGE), remainder(item(key, OutputItem.Kind.MESSAGE), full));
    }

    private void thinking(OutputItem it, int summaryIndex, String delta) {
        if (delta.isEmpty()) {
            return;
        }
        boolean newPart = it.summaryIndex >= 0 && summaryIndex != it.summaryIndex;
        ensureOpen(it, State.IN_THINKING);
        it.summaryIndex = summaryIndex;
        if (newPart) {
            emitDelta(DeltaKind.THINKING, ResponsesOutput.PART_SEPARATOR);
            it.sent += ResponsesOutput.PART_SEPARATOR.length();
        }
        emitDelta(DeltaKind.THINKING, delta);
        it.sent += delta.length();
    }

    /** An argument (or custom input) fragment of the tool block that is open; late fragments are dropped. */
    private void toolInput(@Nullable OutputItem it, String fragment) {
        if (it != null && it.waiting) {
            it.held.append(fragment);
            return;
        }
        if (it == null || fragment.isEmpty() || open != it || state != State.IN_TOOL) {
            return;
        }
        emitDelta(DeltaKind.INPUT_JSON, it.kind == OutputItem.Kind.CUSTOM ? escape(fragment) : fragment);
        it.sent += fragment.length();
    }

    private void toolInputDone(@Nullable OutputItem it, String full) {
        if (it != null && it.waiting && !full.isEmpty()) {
            // The done event carries the whole input, which supersedes the fragments held.
            it.held.setLength(0);
            it.held.append(full);
        } else if (it != null) {
            toolInput(it, remainder(it, full));
        }
    }

    private void openTool(OutputItem it) {
        ensureOpen(it, State.IN_TOOL);
        if (it.kind == OutputItem.Kind.CUSTOM) {
            emitDelta(DeltaKind.INPUT_JSON, CUSTOM_PREFIX);
            deltas--;
        }
    }

    /** Opens a block for {@code it} unless its block is the open one; an item's closed tool block never reopens. */
    private void ensureOpen(OutputItem it, State kind) {
        if (open == it && state == kind) {
            return;
        }
        closeBlock();
        blockIndex++;
        ContentBlock block =
                switch (kind) {
                    case IN_THINKING -> AnthropicEvent.Thinking.EMPTY;
                    case IN_TEXT -> AnthropicEvent.Text.EMPTY;
                    default -> AnthropicEvent.ToolUse.start(it.callId, toolNames.restore(it.name));
                };
        out.onAnthropicEvent(new BlockStart(blockIndex, block));
        toolUse |= kind == State.IN_TOOL;
        state = kind;
        open = it;
        it.opened = true;
        if (kind == State.IN_TOOL) {
            // Anthropic's first input_json_delta of a tool block is empty; Claude Code's captures all show it.
            emitDelta(DeltaKind.INPUT_JSON, "");
            deltas--;
        }
    }

    private void closeBlock() {
        OutputItem it = open;
        if (it == null) {
            return;
        }
        if (state == State.IN_THINKING) {
            // Anthropic ends every thinking block with its signature; ours is the upstream's encrypted reasoning
            // when it sent one, else empty (the request side drops thinking blocks, so it is never verified).
            emitDelta(DeltaKind.SIGNATURE, it.signature);
            deltas--;
        } else if (state == State.IN_TOOL && it.kind == OutputItem.Kind.CUSTOM) {
            emitDelta(DeltaKind.INPUT_JSON, CUSTOM_SUFFIX);
            deltas--;
        }
        out.onAnthropicEvent(new BlockStop(blockIndex));
        it.closed = true;
        open = null;
        state = State.BETWEEN_BLOCKS;
    }

    /** What {@code full} adds to the {@code it.sent} characters already sent (deltas are a prefix of the whole). */
    private static String remainder(OutputItem it, String full) {
        return full.length() > it.sent ? full.substring((int) Math.min(it.sent, full.length())) : "";
    }

    private OutputItem item(String key, OutputItem.Kind kind) {
        OutputItem it = items.get(key);
        if (it != null) {
            return it;
        }
        it = new OutputItem(kind);
        if (items.size() < MAX_ITEMS) {
            items.put(key, it);
        } else {
            untracked = true;
        }
        return it;
    }

    /** {@code s} as the inside of a JSON string literal. */
    private static String escape(String s) {
        try {
            String quoted = JSON.writeValueAsString(s);
            return quoted.substring(1, quoted.length() - 1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a String always serializes", e);
        }
    }

    private void emitDelta(DeltaKind kind, String value) {
        out.onAnthropicEvent(new BlockDelta(blockIndex, kind, value));
        deltas++;
    }
}
