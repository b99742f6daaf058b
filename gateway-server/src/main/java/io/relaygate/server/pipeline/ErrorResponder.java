package io.relaygate.server.pipeline;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.PromiseNotifier;
import io.relaygate.core.ErrorBodies;
import org.jspecify.annotations.Nullable;

/** Writes the gateway's own error responses, always in the client's format, never with a stack trace. */
public final class ErrorResponder {

    /** Header that carries the gateway's request id on every response, for support and logs. */
    public static final String REQUEST_ID_HEADER = "x-relaygate-request-id";

    private ErrorResponder() {}

    /**
     * Writes {@code answer}, a complete JSON error response to a request that has not reached ADMIT, in its turn: when
     * an earlier pipelined request's exchange is still in flight, the answer waits for it ({@link AnswerOrder}), and
     * the returned future completes when it is written. A closing answer's close lingers (see {@link LingeringClose})
     * so the client reads the answer instead of a reset.
     */
    public static ChannelFuture send(ChannelHandlerContext ctx, ErrorAnswer answer) {
        ChannelPromise promise = ctx.newPromise();
        AnswerOrder.inOrder(ctx.channel(), () -> sendNow(ctx, answer).addListener(new PromiseNotifier<>(promise)));
        return promise;
    }

    /** Like {@link #send}, at once: the answer of the exchange in flight, which is the connection's current answer. */
    public static ChannelFuture sendNow(ChannelHandlerContext ctx, ErrorAnswer answer) {
        byte[] body = ErrorBodies.json(answer.format(), answer.kind(), answer.message());
        FullHttpResponse response = new GatewayErrorResponse(answer.kind(), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (answer.requestId() != null) {
            response.headers().set(REQUEST_ID_HEADER, answer.requestId());
        }
        if (answer.retryAfterSeconds() != null) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(answer.retryAfterSeconds()));
        }
        answer.headers().forEach(response.headers()::set);
        if (answer.close()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            LingeringClose.mark(ctx.channel());
            ChannelFuture f = ctx.writeAndFlush(response);
            f.addListener(done -> LingeringClose.start(ctx.channel()));
            return f;
        }
        return ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Writes an error body that is already in the client's format (an upstream error relayed as is). */
    public static ChannelFuture sendRaw(
            ChannelHandlerContext ctx, int status, byte[] body, String requestId, @Nullable Long retryAfterSeconds) {
        return whole(ctx, status, HttpHeaderValues.APPLICATION_JSON, body, requestId, retryAfterSeconds);
    }

    /** Writes a whole answer of {@code contentType} (an admin export). */
    public static ChannelFuture sendBody(
            ChannelHandlerContext ctx, int status, String contentType, byte[] body, String requestId) {
        return whole(ctx, status, contentType, body, requestId, null);
    }

    /** Writes a successful JSON answer the gateway produced itself (e.g. a local token count). */
    public static ChannelFuture sendJson(ChannelHandlerContext ctx, int status, String json, String requestId) {
        return whole(
                ctx,
                status,
                HttpHeaderValues.APPLICATION_JSON,
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                requestId,
                null);
    }

    private static ChannelFuture whole(
            ChannelHandlerContext ctx,
            int status,
            CharSequence contentType,
            byte[] body,
            String requestId,
            @Nullable Long retryAfterSeconds) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(REQUEST_ID_HEADER, requestId);
        if (retryAfterSeconds != null) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        return ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
