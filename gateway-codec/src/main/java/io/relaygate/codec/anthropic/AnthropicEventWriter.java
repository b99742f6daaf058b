package io.relaygate.codec.anthropic;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
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
import io.relaygate.codec.sse.SseWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * Writes Anthropic Messages events as complete SSE frames, each with its {@code event:} line (Claude Code rejects a
 * stream without them and falls back to a non-streaming request). The JSON has the field order of Anthropic's own
 * streams, which is what the transcoders always wrote; ordering the events is the caller's job. Each event is
 * generated into one reused buffer and handed to the sink as a new array the sink owns. Not thread-safe: one writer
 * per stream.
 */
public final class AnthropicEventWriter implements AnthropicEventListener {

    private static final JsonFactory FACTORY = new ObjectMapper().getFactory();
    private static final int INITIAL_BUFFER_BYTES = 512;

    private final Consumer<byte[]> sink;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(INITIAL_BUFFER_BYTES);

    /** @param sink receives each event as complete SSE bytes */
    public AnthropicEventWriter(Consumer<byte[]> sink) {
        this.sink = requireNonNull(sink, "sink");
    }

    @Override
    public void onAnthropicEvent(AnthropicEvent event) {
        sink.accept(bytes(event));
    }

    /** {@code event} as SSE bytes. */
    byte[] bytes(AnthropicEvent event) {
        requireNonNull(event, "event");
        buffer.reset();
        SseWriter.begin(buffer, name(event));
        try (JsonGenerator g = FACTORY.createGenerator(buffer)) {
            data(g, event);
        } catch (IOException e) {
            // A ByteArrayOutputStream does not fail; Jackson only declares it.
            throw new UncheckedIOException(e);
        }
        SseWriter.end(buffer);
        return buffer.toByteArray();
    }

    /** The SSE event name, which is also the data's {@code type}. */
    public static String name(AnthropicEvent event) {
        if (event instanceof MessageStart) {
            return "message_start";
        } else if (event instanceof BlockStart) {
            return "content_block_start";
        } else if (event instanceof BlockDelta) {
            return "content_block_delta";
        } else if (event instanceof BlockStop) {
            return "content_block_stop";
        } else if (event instanceof MessageDelta) {
            return "message_delta";
        } else if (event instanceof MessageStop) {
            return "message_stop";
        }
        return "error";
    }

    private static void data(JsonGenerator g, AnthropicEvent event) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", name(event));
        if (event instanceof MessageStart s) {
            g.writeObjectFieldStart("message");
            g.writeStringField("id", s.id());
            g.writeStringField("type", "message");
            g.writeStringField("role", "assistant");
            g.writeStringField("model", s.model());
            g.writeArrayFieldStart("content");
            g.writeEndArray();
            g.writeNullField("stop_reason");
            g.writeNullField("stop_sequence");
            tokens(g, s.usage());
            g.writeEndObject();
        } else if (event instanceof BlockStart s) {
            g.writeNumberField("index", s.index());
            g.writeObjectFieldStart("content_block");
            block(g, s.block());
            g.writeEndObject();
        } else if (event instanceof BlockDelta d) {
            if (d.kind() == DeltaKind.OTHER) {
                throw new IllegalArgumentException("delta kind: OTHER (expected: a kind with a wire type)");
            }
            g.writeNumberField("index", d.index());
            g.writeObjectFieldStart("delta");
            g.writeStringField("type", d.kind().wireType);
            g.writeStringField(d.kind().field, d.value());
            g.writeEndObject();
        } else if (event instanceof BlockStop s) {
            g.writeNumberField("index", s.index());
        } else if (event instanceof MessageDelta d) {
            g.writeObjectFieldStart("delta");
            if (d.stopReason() == null) {
                g.writeNullField("stop_reason");
            } else {
                g.writeStringField("stop_reason", d.stopReason());
            }
            g.writeNullField("stop_sequence");
            g.writeEndObject();
            tokens(g, d.usage());
        } else if (event instanceof ErrorEvent e) {
            g.writeObjectFieldStart("error");
            g.writeStringField("type", e.type());
            g.writeStringField("message", e.message());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void block(JsonGenerator g, ContentBlock block) throws IOException {
        if (block instanceof AnthropicEvent.Text t) {
            g.writeStringField("type", "text");
            g.writeStringField("text", t.text());
        } else if (block instanceof AnthropicEvent.Thinking t) {
            g.writeStringField("type", "thinking");
            g.writeStringField("thinking", t.thinking());
            g.writeStringField("signature", t.signature());
        } else if (block instanceof AnthropicEvent.RedactedThinking r) {
            g.writeStringField("type", "redacted_thinking");
            g.writeStringField("data", r.data());
        } else if (block instanceof AnthropicEvent.ToolUse t) {
            g.writeStringField("type", "tool_use");
            g.writeStringField("id", t.id());
            g.writeStringField("name", t.name());
            g.writeFieldName("input");
            if (t.input().isMissingNode()) {
                g.writeStartObject();
                g.writeEndObject();
            } else {
                g.writeTree(t.input());
            }
        } else if (block instanceof AnthropicEvent.OtherBlock o) {
            g.writeStringField("type", o.type());
        }
    }

    /** The counts present, in the order Anthropic writes them. */
    private static void tokens(JsonGenerator g, Tokens t) throws IOException {
        g.writeObjectFieldStart("usage");
        count(g, "input_tokens", t.input());
        count(g, "cache_creation_input_tokens", t.cacheCreation());
        count(g, "cache_read_input_tokens", t.cacheRead());
        count(g, "output_tokens", t.output());
        g.writeEndObject();
    }

    private static void count(JsonGenerator g, String field, long value) throws IOException {
        if (value != Tokens.ABSENT) {
            g.writeNumberField(field, value);
        }
    }
}
