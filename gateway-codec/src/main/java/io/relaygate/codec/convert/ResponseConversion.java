package io.relaygate.codec.convert;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.codec.usage.StreamEnd;
import io.relaygate.core.ErrorBodies;
import io.relaygate.core.ErrorKind;
import io.relaygate.core.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The response side of a {@link Conversion}, without the channel: fed the upstream's body as it arrives, it either
 * transcodes a stream event by event (the client's events go to a sink as they are made; nothing is held beyond one
 * event) or collects a whole answer (bounded) and maps it once complete. A Responses stream from an upstream that only
 * streams is collected into a whole answer when the client asked for one.
 *
 * <p>Ownership: {@link #feed} reads its buffer and never keeps it; a whole answer being collected is held in a buffer
 * of the given allocator until {@link #finishWhole} or {@link #release}. One per attempt, on one thread.
 */
public final class ResponseConversion {

    /** Largest whole (non-streaming) upstream answer collected for mapping. */
    public static final int MAX_WHOLE_BODY_BYTES = 32 * 1024 * 1024;

    /** Largest single upstream SSE event transcoded. */
    static final int MAX_EVENT_BYTES = UsageTap.MAX_EVENT_BYTES;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int INITIAL_WHOLE_BYTES = 8192;
    private static final int OK = 200;
    private static final int BAD_GATEWAY = 502;

    /** The client's whole answer: HTTP status and JSON body (an error in the client's format when not 200). */
    public record WholeAnswer(int status, byte[] body) {
        public WholeAnswer {
            requireNonNull(body, "body");
        }
    }

    private final Conversion conversion;
    private final ByteBufAllocator alloc;
    private final int maxBodyBytes;
    private final boolean streamsToClient;
    private final @Nullable StreamTranscoder stream;
    private final @Nullable SseEventParser parser;
    /** A Responses stream collected into a whole answer for a client that asked for one. */
    private final @Nullable ResponsesStreamCollector collector;

    /** Follows the upstream's stream for its final event (streams to the client only). */
    private final @Nullable StreamEnd upstreamEnd;

    private @Nullable ByteBuf whole;
    private Usage usage = Usage.ZERO;

    /**
     * @param sse whether the upstream answers with an event stream
     * @param maxBodyBytes bound on a whole answer collected for mapping
     * @param alloc allocates the buffer a whole answer is collected in
     * @param clientEvents receives the client's stream as complete SSE events (only when {@link #streamsToClient})
     */
    public ResponseConversion(
            Conversion conversion,
            boolean sse,
            int maxBodyBytes,
            ByteBufAllocator alloc,
            Consumer<byte[]> clientEvents) {
        this.conversion = requireNonNull(conversion, "conversion");
        this.alloc = requireNonNull(alloc, "alloc");
        requireNonNull(clientEvents, "clientEvents");
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes: " + maxBodyBytes + " (expected: > 0)");
        }
        this.maxBodyBytes = maxBodyBytes;
        if (sse && conversion.collectsStream()) {
            ResponsesStreamCollector c = new ResponsesStreamCollector();
            streamsToClient = false;
            upstreamEnd = null;
            collector = c;
            stream = null;
            parser = new SseEventParser(MAX_EVENT_BYTES, c);
        } else if (sse) {
            StreamTranscoder s = conversion.streamTranscoder(clientEvents);
            StreamEnd end = StreamEnd.of(conversion.upstreamFormat());
            streamsToClient = true;
            collector = null;
            stream = s;
            upstreamEnd = end;
            parser = new SseEventParser(MAX_EVENT_BYTES, (name, data, offset, length) -> {
                end.onEvent(name, data, offset, length);
                s.onEvent(name, data, offset, length);
            });
        } else {
            streamsToClient = false;
            upstreamEnd = null;
            collector = null;
            stream = null;
            parser = null;
        }
    }

    /** Whether the client gets a stream (else one whole answer from {@link #finishWhole}). */
    public boolean streamsToClient() {
        return streamsToClient;
    }

    /**
     * Reads the next part of the upstream's body; {@code content} is not retained or released.
     *
     * @throws IllegalStateException when a whole answer grows over the bound
     */
    public void feed(ByteBuf content) {
        SseEventParser p = parser;
        if (p != null) {
            p.feed(content);
            return;
        }
        ByteBuf w = whole;
        if (w == null) {
            w = alloc.buffer(Math.min(maxBodyBytes, INITIAL_WHOLE_BYTES), maxBodyBytes);
            whole = w;
        }
        if (content.readableBytes() > w.maxWritableBytes()) {
            throw new IllegalStateException("upstream answer over " + maxBodyBytes + " bytes");
        }
        w.writeBytes(content, content.readerIndex(), content.readableBytes());
    }

    /**
     * Whether the upstream's stream, now over, reached its final event; an event still in the parser is read first.
     * When it did not, the caller ends the client's stream with {@link #fail} instead of {@link #finishStream}.
     */
    public boolean upstreamEnded() {
        StreamEnd end = upstreamEnd;
        if (end == null) {
            return true;
        }
        requireNonNull(parser, "parser").finish();
        return end.ended();
    }

    /** The upstream's own error when its stream ended with one (the client got it in its format), else null. */
    public @Nullable String upstreamError() {
        StreamEnd end = upstreamEnd;
        return end == null ? null : end.error();
    }

    /** The upstream's stream ended: ends the client's stream well-formed (streams only). */
    public void finishStream() {
        StreamTranscoder s = requireNonNull(stream, "stream: not a stream to the client");
        requireNonNull(parser, "parser").finish();
        s.finish();
        usage = s.usage();
    }

    /** The upstream's answer is complete: the client's whole answer; releases what was collected. */
    public WholeAnswer finishWhole() {
        if (streamsToClient) {
            throw new IllegalStateException("finishWhole: the client gets a stream (expected: finishStream)");
        }
        JsonNode completion;
        ResponsesStreamCollector c = collector;
        if (c != null) {
            requireNonNull(parser, "parser").finish();
            completion = c.response();
            String failure = c.failure();
            if (completion == null && failure != null) {
                return error("upstream failed: " + failure);
            }
        } else {
            ByteBuf w = whole;
            whole = null;
            try (InputStream in = new ByteBufInputStream(w == null ? Unpooled.EMPTY_BUFFER : w, true)) {
                completion = JSON.readTree(in);
            } catch (IOException e) {
                completion = null;
            }
        }
        if (completion == null) {
            return error("upstream sent an answer the gateway could not read");
        }
        if (!completion.isObject()) {
            // JSON that is no object (an array, a string) has always been answered 200 with the error body; kept as
            // it was, though 502 would be the consistent status.
            return new WholeAnswer(
                    OK,
                    ErrorBodies.json(
                            conversion.clientFormat(),
                            ErrorKind.BAD_GATEWAY,
                            "upstream sent an answer the gateway could not read"));
        }
        usage = conversion.wholeUsage(completion);
        try {
            return new WholeAnswer(OK, JSON.writeValueAsBytes(conversion.mapWhole(completion)));
        } catch (IOException e) {
            throw new IllegalStateException("encoding a mapped message failed", e);
        }
    }

    private WholeAnswer error(String message) {
        return new WholeAnswer(
                BAD_GATEWAY, ErrorBodies.json(conversion.clientFormat(), ErrorKind.BAD_GATEWAY, message));
    }

    /** The upstream died mid-stream: ends the client's stream with an error event (streams only); releases. */
    public void fail(String message) {
        StreamTranscoder s = stream;
        if (s != null) {
            s.fail(message);
            usage = s.usage();
        }
        release();
    }

    /** Tokens so far: the transcoder's while a stream runs, else those of the finished answer. */
    public Usage usage() {
        StreamTranscoder s = stream;
        return s != null && !s.done() ? s.usage() : usage;
    }

    /** Drops a partly collected answer (client gone, upstream failed). */
    public void release() {
        ByteBuf w = whole;
        whole = null;
        if (w != null) {
            w.release();
        }
    }
}
