package io.relaygate.server.relay;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.relaygate.codec.chat.StreamTranscoder;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.Usage;
import io.relaygate.server.Conversion;
import io.relaygate.server.ResponsesStreamCollector;
import io.relaygate.server.UsageTap;
import io.relaygate.server.pipeline.ErrorResponder;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The response side of a converted request: a stream is transcoded event by event as it arrives (nothing buffered
 * beyond one event), a whole answer is collected (bounded) and mapped once complete. Converted bytes are written to
 * the client channel; upstream buffers are released here.
 */
final class ResponseConverter {

    /** Largest whole (non-streaming) upstream answer collected for mapping. */
    static final int MAX_WHOLE_BODY_BYTES = 32 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Conversion conversion;
    private final ChannelHandlerContext client;
    private final String requestId;
    private final boolean sse;
    private final @Nullable StreamTranscoder stream;
    private final @Nullable SseEventParser parser;
    /** A Responses stream collected into a whole answer for a client that asked for one. */
    private final @Nullable ResponsesStreamCollector collector;

    private @Nullable ByteBuf whole;
    private final int maxBodyBytes;
    private Usage usage = Usage.ZERO;

    ResponseConverter(
            Conversion conversion, ChannelHandlerContext client, String requestId, boolean sse, int maxBodyBytes) {
        this.conversion = requireNonNull(conversion, "conversion");
        this.client = requireNonNull(client, "client");
        this.requestId = requireNonNull(requestId, "requestId");
        this.maxBodyBytes = maxBodyBytes;
        if (sse && conversion.collectsStream()) {
            ResponsesStreamCollector c = new ResponsesStreamCollector();
            this.sse = false;
            collector = c;
            stream = null;
            parser = new SseEventParser(UsageTap.MAX_EVENT_BYTES, c);
            return;
        }
        this.sse = sse;
        collector = null;
        if (sse) {
            StreamTranscoder s = conversion.streamTranscoder(
                    bytes -> client.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)))
                            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE));
            stream = s;
            parser = new SseEventParser(UsageTap.MAX_EVENT_BYTES, s);
        } else {
            stream = null;
            parser = null;
        }
    }

    /** Writes the client's response head for a stream; a whole answer's head waits for its body. */
    boolean writeHeadIfStreaming() {
        if (!sse) {
            return false;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(ErrorResponder.REQUEST_ID_HEADER, requestId);
        HttpUtil.setTransferEncodingChunked(head, true);
        client.write(head).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return true;
    }

    /** Takes ownership of {@code content}. Returns true when the client's response is complete. */
    boolean content(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        try {
            if (sse || collector != null) {
                requireNonNull(parser, "parser").feed(content.content());
            } else {
                ByteBuf w = whole;
                if (w == null) {
                    w = client.alloc().buffer(Math.min(maxBodyBytes, 8192), maxBodyBytes);
                    whole = w;
                }
                ByteBuf in = content.content();
                if (in.readableBytes() > w.maxWritableBytes()) {
                    throw new IllegalStateException("upstream answer over " + maxBodyBytes + " bytes");
                }
                w.writeBytes(in, in.readerIndex(), in.readableBytes());
            }
        } finally {
            content.release();
        }
        if (last) {
            complete();
        }
        return last;
    }

    private void complete() {
        if (sse) {
            requireNonNull(parser, "parser").finish();
            StreamTranscoder s = requireNonNull(stream, "stream");
            s.finish();
            usage = s.usage();
            client.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            return;
        }
        JsonNode completion;
        ResponsesStreamCollector c = collector;
        if (c != null) {
            requireNonNull(parser, "parser").finish();
            completion = c.response();
            if (completion == null && c.failure() != null) {
                writeWhole(
                        HttpResponseStatus.BAD_GATEWAY,
                        io.relaygate.core.ErrorBodies.json(
                                conversion.clientFormat(),
                                io.relaygate.core.ErrorKind.BAD_GATEWAY,
                                "upstream failed: " + c.failure()));
                return;
            }
        } else {
            ByteBuf w = whole;
            whole = null;
            try (ByteBufInputStream in = new ByteBufInputStream(w == null ? Unpooled.EMPTY_BUFFER : w, true)) {
                completion = JSON.readTree((java.io.InputStream) in);
            } catch (IOException e) {
                completion = null;
            }
        }
        byte[] body;
        if (completion == null || !completion.isObject()) {
            body = io.relaygate.core.ErrorBodies.json(
                    conversion.clientFormat(),
                    io.relaygate.core.ErrorKind.BAD_GATEWAY,
                    "upstream sent an answer the gateway could not read");
        } else {
            usage = conversion.wholeUsage(completion);
            try {
                body = JSON.writeValueAsBytes(conversion.mapWhole(completion));
            } catch (IOException e) {
                throw new IllegalStateException("encoding a mapped message failed", e);
            }
        }
        writeWhole(completion == null ? HttpResponseStatus.BAD_GATEWAY : HttpResponseStatus.OK, body);
    }

    private void writeWhole(HttpResponseStatus status, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(ErrorResponder.REQUEST_ID_HEADER, requestId);
        client.write(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** The upstream died mid-stream: ends the client's stream with an error event (streams only). */
    void fail(String message) {
        if (sse) {
            StreamTranscoder s = requireNonNull(stream, "stream");
            s.fail(message);
            usage = s.usage();
            client.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        release();
    }

    Usage usage() {
        StreamTranscoder s = stream;
        return s != null && !s.done() ? s.usage() : usage;
    }

    /** Drops a partly collected answer (client gone, upstream failed). */
    void release() {
        ByteBuf w = whole;
        whole = null;
        if (w != null) {
            w.release();
        }
    }
}
