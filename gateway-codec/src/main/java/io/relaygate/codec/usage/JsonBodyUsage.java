package io.relaygate.codec.usage;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incremental scan of a non-streaming JSON response for usage, model and stop reason, with Jackson's non-blocking
 * parser: bounded memory, no buffering of the body. Reads Anthropic Messages bodies ({@code usage.input_tokens},
 * {@code output_tokens}, {@code cache_creation_input_tokens}, {@code cache_read_input_tokens}, {@code stop_reason})
 * and OpenAI Chat bodies ({@code usage.prompt_tokens}, {@code completion_tokens},
 * {@code prompt_tokens_details.cached_tokens}). Only top-level {@code usage}, {@code model} and {@code stop_reason}
 * count; members of the same names nested deeper (content blocks, tool inputs) are ignored.
 */
public final class JsonBodyUsage {

    private static final Logger logger = LoggerFactory.getLogger(JsonBodyUsage.class);
    private static final JsonFactory JSON = new JsonFactory();

    private enum State {
        /** Reading tokens of the root object. */
        SCANNING,
        /** The root value ended, or input ended: later bytes are not looked at. */
        DONE,
        /** The body is not well-formed JSON; values read before the fault are kept. */
        FAILED
    }

    private final UsageFields usage = new UsageFields();
    private final JsonParser parser;
    private final ByteBufferFeeder feeder;
    private State state = State.SCANNING;
    /** Nesting depth after the current token: 1 inside the root object, 2 inside one of its members. */
    private int depth;
    /** The root-object member whose value is being read. */
    private @Nullable String rootField;
    /** The member of the top-level usage object whose value is being read. */
    private @Nullable String usageField;
    /** The member of a usage detail object ({@code prompt_tokens_details}) whose value is being read. */
    private @Nullable String detailField;

    private @Nullable String model;
    private @Nullable String stopReason;
    /** A Responses object: its input_tokens include the cached ones, its outcome is a status. */
    private final boolean responses;

    private @Nullable String status;

    /** A scan of an Anthropic Messages or an OpenAI Chat Completions answer. */
    public JsonBodyUsage() {
        this(false);
    }

    /**
     * A scan of an OpenAI Responses object: {@code usage.input_tokens} counts the cached tokens of
     * {@code input_tokens_details.cached_tokens} too (unlike Anthropic's), so they move to cache reads; the top-level
     * {@code status} is kept.
     */
    public static JsonBodyUsage forResponses() {
        return new JsonBodyUsage(true);
    }

    private JsonBodyUsage(boolean responses) {
        this.responses = responses;
        try {
            parser = JSON.createNonBlockingByteBufferParser();
        } catch (IOException e) {
            // Creating a non-blocking parser does no I/O; Jackson only declares the exception.
            throw new IllegalStateException("cannot create a non-blocking JSON parser", e);
        }
        feeder = (ByteBufferFeeder) parser.getNonBlockingInputFeeder();
    }

    /** Scans the readable bytes of {@code buf} without changing its indices or reference count. */
    public void feed(ByteBuf buf) {
        requireNonNull(buf, "buf");
        if (state != State.SCANNING || !buf.isReadable()) {
            return;
        }
        int count = buf.nioBufferCount();
        if (count == 1) {
            feed(buf.nioBuffer());
        } else if (count > 1) {
            for (ByteBuffer part : buf.nioBuffers()) {
                feed(part);
            }
        } else {
            // A buffer type without an NIO view; copying is the only way to read it.
            feed(ByteBuffer.wrap(ByteBufUtil.getBytes(buf)));
        }
    }

    /** Scans {@code length} bytes of {@code data} from {@code offset} (one whole SSE event's data, say). */
    public void feed(byte[] data, int offset, int length) {
        feed(ByteBuffer.wrap(data, offset, length));
    }

    /** End of the body: completes a pending token and releases the parser. */
    public void finish() {
        if (state == State.SCANNING) {
            feeder.endOfInput();
            drain();
            if (state == State.SCANNING) {
                state = State.DONE;
            }
        }
        close();
    }

    /** The top-level usage counts; absent ones are 0. */
    public Usage usage() {
        return usage.toUsage();
    }

    /** The top-level model, or null when not (yet) seen. */
    public @Nullable String model() {
        return model;
    }

    /** A Responses object's top-level status (completed, incomplete, failed …), or null when not (yet) seen. */
    public @Nullable String status() {
        return status;
    }

    /** The top-level stop_reason, or null when absent, null or not (yet) seen. */
    public @Nullable String stopReason() {
        return stopReason;
    }

    private void feed(ByteBuffer part) {
        if (state != State.SCANNING || !part.hasRemaining()) {
            return;
        }
        try {
            feeder.feedInput(part);
        } catch (IOException e) {
            fail(e);
            return;
        }
        drain();
    }

    /** Handles every token the input fed so far completes; returns with all of it consumed or the scan ended. */
    private void drain() {
        try {
            while (state == State.SCANNING) {
                JsonToken token = parser.nextToken();
                if (token == JsonToken.NOT_AVAILABLE) {
                    return;
                }
                if (token == null) {
                    state = State.DONE;
                    return;
                }
                handle(token);
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    private void handle(JsonToken token) throws IOException {
        switch (token) {
            case START_OBJECT, START_ARRAY -> {
                if (depth == 0 && token != JsonToken.START_OBJECT) {
                    // Not a Messages response object; nothing to find.
                    finishEarly();
                    return;
                }
                depth++;
            }
            case END_OBJECT, END_ARRAY -> {
                depth--;
                if (depth == 0) {
                    finishEarly();
                } else if (depth == 1) {
                    rootField = null;
                } else if (depth == 2) {
                    detailField = null;
                }
            }
            case FIELD_NAME -> {
                if (depth == 1) {
                    rootField = parser.currentName();
                    usageField = null;
                } else if (depth == 2 && "usage".equals(rootField)) {
                    usageField = parser.currentName();
                } else if (depth == 3 && "usage".equals(rootField)) {
                    detailField = parser.currentName();
                }
            }
            default -> scalar(token);
        }
    }

    private void scalar(JsonToken token) throws IOException {
        if (depth == 0) {
            // A scalar root: not a Messages response.
            finishEarly();
        } else if (depth == 1 && rootField != null) {
            if (token == JsonToken.VALUE_STRING) {
                if (rootField.equals("model")) {
                    model = parser.getText();
                } else if (rootField.equals("stop_reason") || rootField.equals("finish_reason")) {
                    stopReason = parser.getText();
                } else if (responses && rootField.equals("status")) {
                    status = parser.getText();
                }
            }
        } else if (depth == 2 && "usage".equals(rootField) && usageField != null) {
            if (JsonReading.isLongInteger(parser, token)) {
                // Responses' input_tokens include the cached ones: kept as OpenAI's prompt count.
                usage.set(
                        responses && usageField.equals("input_tokens") ? "prompt_tokens" : usageField,
                        parser.getLongValue());
            }
        } else if (depth == 3
                && "usage".equals(rootField)
                && (responses ? "input_tokens_details" : "prompt_tokens_details").equals(usageField)
                && "cached_tokens".equals(detailField)
                && JsonReading.isLongInteger(parser, token)) {
            usage.set("cached_tokens", parser.getLongValue());
        }
    }

    private void finishEarly() {
        state = State.DONE;
        close();
    }

    private void fail(IOException e) {
        logger.debug(
                "Stopped scanning a malformed upstream JSON body: {}",
                e.getClass().getSimpleName());
        state = State.FAILED;
        close();
    }

    private void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // Closing a non-blocking parser over fed bytes does no I/O.
            logger.debug("Closing the JSON parser failed", e);
        }
    }
}
