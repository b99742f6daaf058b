package io.relaygate.codec.responses.inbound;

import static io.relaygate.codec.responses.inbound.OutputItems.COMPLETED;
import static io.relaygate.codec.responses.inbound.OutputItems.IN_PROGRESS;
import static io.relaygate.codec.responses.inbound.OutputItems.JSON;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.relaygate.codec.anthropic.AnthropicEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStart;
import io.relaygate.codec.anthropic.AnthropicEvent.BlockStop;
import io.relaygate.codec.anthropic.AnthropicEvent.ContentBlock;
import io.relaygate.codec.anthropic.AnthropicEvent.ErrorEvent;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageDelta;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStart;
import io.relaygate.codec.anthropic.AnthropicEvent.MessageStop;
import io.relaygate.codec.anthropic.AnthropicEvent.Tokens;
import io.relaygate.codec.anthropic.AnthropicEvent.ToolUse;
import io.relaygate.codec.anthropic.AnthropicEventListener;
import io.relaygate.codec.anthropic.AnthropicEventReader;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.core.Ids;
import io.relaygate.core.Usage;
import java.time.Clock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Transcodes an Anthropic Messages stream (events from {@code SseEventParser}) into the OpenAI Responses event
 * sequence Codex CLI parses: {@code response.created}, {@code response.in_progress}, then per Anthropic content block
 * one output item — text → {@code message}, thinking → {@code reasoning} (the thinking text as its summary, the
 * signature marked in {@code encrypted_content}), tool_use → {@code function_call}, or {@code custom_tool_call} when
 * the tool stands for a Responses custom tool ({@link ResponsesTools}) — each framed by
 * {@code response.output_item.added} and {@code response.output_item.done} (the latter carries the full text or
 * arguments: Codex reads the answer from it), and last {@code response.completed} with all items and integer usage.
 * An Anthropic {@code error} event or {@link #fail} ends the stream with {@code response.failed}. docs/conversion.md
 * has the event table.
 *
 * <p>Input is SSE events (read by {@link AnthropicEventReader}) or, behind another transcoder, the events themselves.
 * Events go to the sink as complete SSE bytes the caller owns, numbered by {@link ResponsesEvents}. Item text is
 * buffered until the item is done, bounded by {@link #MAX_BUFFERED_CHARS} per response. Not thread-safe: one instance
 * per stream, fed on its event loop.
 */
public final class AnthropicToResponsesStream implements StreamTranscoder, AnthropicEventListener {

    /** Bound on the text, thinking and arguments held for output_item.done and response.completed (~64 MiB). */
    static final int MAX_BUFFERED_CHARS = 32 * 1024 * 1024;

    private enum State {
        /** Nothing sent yet. */
        INITIAL,
        /** response.created sent, no output item open. */
        IDLE,
        IN_MESSAGE,
        IN_REASONING,
        IN_FUNCTION_CALL,
        IN_CUSTOM_CALL,
        /** response.completed or response.failed sent: everything after is ignored. */
        DONE
    }

    private final String clientModel;
    private final ResponsesTools tools;
    private final ResponsesEvents events;
    private final long createdAt;
    private State state = State.INITIAL;
    private @Nullable String idBase;
    private final ArrayNode output = JSON.createArrayNode();
    private int outputIndex = -1;
    private String itemId = "";
    private final StringBuilder itemText = new StringBuilder();
    private final StringBuilder signature = new StringBuilder();
    private boolean summaryPartOpen;
    private String callId = "";
    private String toolName = "";
    private long bufferedChars;
    private @Nullable String stopReason;
    private long inputTokens;
    private long outputTokens;
    private long cacheCreationTokens;
    private long cacheReadTokens;

    /**
     * @param clientModel the model name the client asked for, shown back to it
     * @param tools the request's tool memory, to restore names and tell custom tools apart
     * @param sink receives each output event as complete SSE bytes
     */
    public AnthropicToResponsesStream(String clientModel, ResponsesTools tools, Consumer<byte[]> sink) {
        this(clientModel, tools, sink, Clock.systemUTC());
    }

    AnthropicToResponsesStream(String clientModel, ResponsesTools tools, Consumer<byte[]> sink, Clock clock) {
        this.clientModel = requireNonNull(clientModel, "clientModel");
        this.tools = requireNonNull(tools, "tools");
        this.events = new ResponsesEvents(requireNonNull(sink, "sink"));
        this.createdAt = clock.instant().getEpochSecond();
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
            if (idBase == null && !s.id().isEmpty()) {
                idBase = OutputItems.idBase(s.id());
            }
            readUsage(s.usage());
            start();
        } else if (event instanceof BlockStart s) {
            blockStart(s.block());
        } else if (event instanceof BlockDelta d) {
            blockDelta(d);
        } else if (event instanceof BlockStop) {
            closeItem();
        } else if (event instanceof MessageDelta d) {
            if (d.stopReason() != null) {
                stopReason = d.stopReason();
            }
            readUsage(d.usage());
        } else if (event instanceof MessageStop) {
            finish();
        } else if (event instanceof ErrorEvent e) {
            failWith(OutputItems.errorCode(e.type(), e.message()), e.message());
        }
    }

    /** Ends the stream well-formed: closes the open item and sends {@code response.completed}. */
    @Override
    public void finish() {
        if (state == State.DONE) {
            return;
        }
        start();
        closeItem();
        ObjectNode response = response(COMPLETED);
        OutputItems.stop(response, stopReason);
        OutputItems.usage(response, usage());
        emit("response.completed", JSON.createObjectNode().set("response", response));
        state = State.DONE;
    }

    /** The upstream failed mid-stream: {@code response.failed} with code {@code server_error}. */
    @Override
    public void fail(String message) {
        failWith("server_error", requireNonNull(message, "message"));
    }

    @Override
    public Usage usage() {
        return new Usage(inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens);
    }

    @Override
    public boolean done() {
        return state == State.DONE;
    }

    private void failWith(String code, String message) {
        if (state == State.DONE) {
            return;
        }
        start();
        // The open item is left unfinished: the client discards a failed response and retries it whole.
        ObjectNode response = response("failed");
        response.putObject("error").put("code", code).put("message", message);
        emit("response.failed", JSON.createObjectNode().set("response", response));
        state = State.DONE;
    }

    private void blockStart(ContentBlock block) {
        start();
        closeItem();
        if (block instanceof AnthropicEvent.Text t) {
            openMessage();
            appendText(t.text());
        } else if (block instanceof AnthropicEvent.Thinking t) {
            openReasoning();
            appendThinking(t.thinking());
            signature.append(t.signature());
        } else if (block instanceof AnthropicEvent.RedactedThinking r) {
            outputIndex++;
            String id = "rs_" + idBase() + "_" + outputIndex;
            emitItem("response.output_item.added", OutputItems.reasoning(id, null, null));
            ObjectNode item = OutputItems.reasoning(id, null, OutputItems.REDACTED_MARK + r.data());
            emitItem("response.output_item.done", item);
            output.add(item);
        } else if (block instanceof ToolUse tool) {
            openCall(tool);
            JsonNode input = tool.input();
            // Anthropic streams the input as input_json_delta after an empty {}; a non-empty one is kept.
            if (input.isObject() && !input.isEmpty()) {
                appendArguments(input.toString());
            }
        }
        // server_tool_use and its results: the client declared no such tool (they were dropped).
    }

    private void blockDelta(BlockDelta delta) {
        start();
        switch (delta.kind()) {
            case TEXT -> {
                if (state != State.IN_MESSAGE) {
                    // A delta without its content_block_start: open the item it belongs to.
                    closeItem();
                    openMessage();
                }
                appendText(delta.value());
            }
            case THINKING -> {
                if (state != State.IN_REASONING) {
                    closeItem();
                    openReasoning();
                }
                appendThinking(delta.value());
            }
            case SIGNATURE -> {
                if (state == State.IN_REASONING) {
                    signature.append(delta.value());
                }
            }
            case INPUT_JSON -> {
                if (state == State.IN_FUNCTION_CALL || state == State.IN_CUSTOM_CALL) {
                    appendArguments(delta.value());
                }
            }
            default -> {
                // citations_delta and future delta types.
            }
        }
    }

    private void openMessage() {
        outputIndex++;
        itemId = "msg_" + idBase() + "_" + outputIndex;
        emitItem("response.output_item.added", OutputItems.message(itemId, IN_PROGRESS, null));
        ObjectNode ev = itemEvent().put("content_index", 0);
        ev.set("part", OutputItems.outputText(""));
        emit("response.content_part.added", ev);
        state = State.IN_MESSAGE;
    }

    private void openReasoning() {
        outputIndex++;
        itemId = "rs_" + idBase() + "_" + outputIndex;
        emitItem("response.output_item.added", OutputItems.reasoning(itemId, null, null));
        summaryPartOpen = false;
        state = State.IN_REASONING;
    }

    private void openCall(ToolUse block) {
        outputIndex++;
        String upstreamName = block.name();
        toolName = upstreamName;
        callId = block.id();
        if (callId.isEmpty()) {
            callId = "call_" + Ids.unique(24);
        }
        if (tools.isCustom(upstreamName)) {
            itemId = "ctc_" + idBase() + "_" + outputIndex;
            emitItem(
                    "response.output_item.added",
                    OutputItems.customCall(itemId, IN_PROGRESS, callId, tools.clientName(upstreamName), ""));
            state = State.IN_CUSTOM_CALL;
        } else {
            itemId = "fc_" + idBase() + "_" + outputIndex;
            emitItem(
                    "response.output_item.added",
                    OutputItems.functionCall(
                            itemId,
                            IN_PROGRESS,
                            callId,
                            tools.clientName(upstreamName),
                            tools.namespace(upstreamName),
                            ""));
            state = State.IN_FUNCTION_CALL;
        }
    }

    private void appendText(String text) {
        if (text.isEmpty() || !buffer(text)) {
            return;
        }
        ObjectNode ev = itemEvent().put("content_index", 0).put("delta", text);
        ev.putArray("logprobs");
        emit("response.output_text.delta", ev);
    }

    private void appendThinking(String text) {
        if (text.isEmpty() || !buffer(text)) {
            return;
        }
        if (!summaryPartOpen) {
            ObjectNode added = itemEvent().put("summary_index", 0);
            added.set("part", OutputItems.summaryText(""));
            emit("response.reasoning_summary_part.added", added);
            summaryPartOpen = true;
        }
        emit(
                "response.reasoning_summary_text.delta",
                itemEvent().put("summary_index", 0).put("delta", text));
    }

    private void appendArguments(String json) {
        if (json.isEmpty() || !buffer(json)) {
            return;
        }
        // A custom tool's input is the "input" member of this JSON: it is sent whole once the block ends.
        if (state == State.IN_FUNCTION_CALL) {
            emit("response.function_call_arguments.delta", itemEvent().put("delta", json));
        }
    }

    /** Adds to the open item's text; false (after failing the response) when the bound is exceeded. */
    private boolean buffer(String s) {
        bufferedChars += s.length();
        if (bufferedChars > MAX_BUFFERED_CHARS) {
            failWith(
                    "server_error",
                    "response output: over " + MAX_BUFFERED_CHARS + " characters (expected: at most "
                            + MAX_BUFFERED_CHARS + ")");
            return false;
        }
        itemText.append(s);
        return true;
    }

    /** Finishes the open output item, if any, with its done events. */
    private void closeItem() {
        String text = itemText.toString();
        ObjectNode item;
        switch (state) {
            case IN_MESSAGE -> {
                ObjectNode textDone = itemEvent().put("content_index", 0).put("text", text);
                textDone.putArray("logprobs");
                emit("response.output_text.done", textDone);
                ObjectNode partDone = itemEvent().put("content_index", 0);
                partDone.set("part", OutputItems.outputText(text));
                emit("response.content_part.done", partDone);
                item = OutputItems.message(itemId, COMPLETED, text);
            }
            case IN_REASONING -> {
                if (summaryPartOpen) {
                    emit(
                            "response.reasoning_summary_text.done",
                            itemEvent().put("summary_index", 0).put("text", text));
                    ObjectNode partDone = itemEvent().put("summary_index", 0);
                    partDone.set("part", OutputItems.summaryText(text));
                    emit("response.reasoning_summary_part.done", partDone);
                }
                String sig = signature.toString();
                item = OutputItems.reasoning(itemId, text, sig.isEmpty() ? null : OutputItems.THINKING_MARK + sig);
            }
            case IN_FUNCTION_CALL -> {
                String arguments = text.isBlank() ? "{}" : text;
                emit("response.function_call_arguments.done", itemEvent().put("arguments", arguments));
                item = OutputItems.functionCall(
                        itemId, COMPLETED, callId, tools.clientName(toolName), tools.namespace(toolName), arguments);
            }
            case IN_CUSTOM_CALL -> {
                String input = OutputItems.customInput(text);
                if (!input.isEmpty()) {
                    emit("response.custom_tool_call_input.delta", itemEvent().put("delta", input));
                }
                emit("response.custom_tool_call_input.done", itemEvent().put("input", input));
                item = OutputItems.customCall(itemId, COMPLETED, callId, tools.clientName(toolName), input);
            }
            default -> {
                return;
            }
        }
        emitItem("response.output_item.done", item);
        output.add(item);
        itemText.setLength(0);
        signature.setLength(0);
        state = State.IDLE;
    }

    private void start() {
        if (state != State.INITIAL) {
            return;
        }
        state = State.IDLE;
        emit("response.created", JSON.createObjectNode().set("response", response(IN_PROGRESS)));
        emit("response.in_progress", JSON.createObjectNode().set("response", response(IN_PROGRESS)));
    }

    private ObjectNode response(String status) {
        ObjectNode r = OutputItems.response("resp_" + idBase(), createdAt, status, clientModel);
        if (!status.equals(IN_PROGRESS)) {
            r.set("output", output.deepCopy());
        }
        return r;
    }

    private String idBase() {
        if (idBase == null) {
            idBase = Ids.unique(24);
        }
        return idBase;
    }

    private ObjectNode itemEvent() {
        return JSON.createObjectNode().put("item_id", itemId).put("output_index", outputIndex);
    }

    private void emitItem(String type, ObjectNode item) {
        ObjectNode ev = JSON.createObjectNode().put("output_index", outputIndex);
        ev.set("item", item);
        emit(type, ev);
    }

    private void emit(String type, ObjectNode fields) {
        events.emit(type, fields);
    }

    private void readUsage(Tokens u) {
        // message_delta usage is cumulative: a present count replaces message_start's value. Negative ones are 0:
        // Responses clients reject negative usage.
        inputTokens = Math.max(0, u.inputOr(inputTokens));
        outputTokens = Math.max(0, u.outputOr(outputTokens));
        cacheCreationTokens = Math.max(0, u.cacheCreationOr(cacheCreationTokens));
        cacheReadTokens = Math.max(0, u.cacheReadOr(cacheReadTokens));
    }
}
