package io.relaygate.server.relay;

import static java.util.Objects.requireNonNull;

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
import io.relaygate.codec.convert.Conversion;
import io.relaygate.codec.convert.ResponseConversion;
import io.relaygate.core.Usage;
import io.relaygate.server.pipeline.ErrorResponder;
import org.jspecify.annotations.Nullable;

/**
 * The channel side of a converted response: feeds upstream content to the codec's {@link ResponseConversion} and writes
 * what it makes to the client channel (the stream's events as they come, or the whole answer). Upstream buffers are
 * released here.
 */
final class ResponseConverter {

    /** Largest whole (non-streaming) upstream answer collected for mapping. */
    static final int MAX_WHOLE_BODY_BYTES = ResponseConversion.MAX_WHOLE_BODY_BYTES;

    private final ChannelHandlerContext client;
    private final String requestId;
    private final ResponseConversion response;
    /** The upstream's stream ended before its final event: the client's stream waits for {@link #fail}. */
    private boolean truncated;
    /** The upstream answers with a stream (not a whole JSON body). */
    private final boolean upstreamSse;

    ResponseConverter(
            Conversion conversion, ChannelHandlerContext client, String requestId, boolean sse, int maxBodyBytes) {
        this.client = requireNonNull(client, "client");
        this.requestId = requireNonNull(requestId, "requestId");
        this.upstreamSse = sse;
        this.response = new ResponseConversion(conversion, sse, maxBodyBytes, client.alloc(), bytes -> client.write(
                        new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE));
    }

    /** Headers the client's answer carries besides the converter's own (the usage-limit headers); only on a success. */
    private java.util.Map<String, String> extraHeaders = java.util.Map.of();

    void addHeaders(java.util.Map<String, String> headers) {
        extraHeaders = java.util.Map.copyOf(headers);
    }

    /** Writes the client's response head for a stream; a whole answer's head waits for its body. */
    boolean writeHeadIfStreaming() {
        if (!response.streamsToClient()) {
            return false;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set(ErrorResponder.REQUEST_ID_HEADER, requestId);
        extraHeaders.forEach(head.headers()::set);
        HttpUtil.setTransferEncodingChunked(head, true);
        client.write(head).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return true;
    }

    /** Takes ownership of {@code content}. Returns true when the client's response is complete. */
    boolean content(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        try {
            response.feed(content.content());
        } finally {
            content.release();
        }
        if (last) {
            if (response.streamsToClient() && !response.upstreamEnded()) {
                truncated = true;
            } else {
                complete();
            }
        }
        return last;
    }

    /**
     * When the client's stream is open and the upstream's stream (not a whole body) had already reached its final event
     * (its connection failed after it), ends the client's stream as a whole one and returns true.
     */
    boolean completeIfUpstreamEnded() {
        if (!upstreamSse || !response.streamsToClient() || !response.upstreamEnded()) {
            return false;
        }
        complete();
        return true;
    }

    boolean truncated() {
        return truncated;
    }

    @Nullable
    String upstreamError() {
        return response.upstreamError();
    }

    private void complete() {
        if (response.streamsToClient()) {
            response.finishStream();
            client.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            return;
        }
        ResponseConversion.WholeAnswer answer = response.finishWhole();
        byte[] body = answer.body();
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(body));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(ErrorResponder.REQUEST_ID_HEADER, requestId);
        if (answer.status() < 300) {
            extraHeaders.forEach(r.headers()::set);
        }
        client.write(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** The upstream died mid-stream: ends the client's stream with an error event (streams only). */
    void fail(String message) {
        boolean stream = response.streamsToClient();
        response.fail(message);
        if (stream) {
            client.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    Usage usage() {
        return response.usage();
    }

    /** Drops a partly collected answer (client gone, upstream failed). */
    void release() {
        response.release();
    }
}
