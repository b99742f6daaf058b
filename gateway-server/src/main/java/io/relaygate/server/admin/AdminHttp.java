package io.relaygate.server.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.server.pipeline.ErrorResponder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the console's and the admin API's answers with the headers every one of them carries: a strict
 * Content-Security-Policy (scripts and styles only from this origin, no inline code, no framing), no MIME sniffing,
 * no referrer, and the request id.
 */
final class AdminHttp {

    /** Only this origin's files; no inline script or style, no plugins, no framing, forms only to this origin. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private AdminHttp() {}

    static void send(
            ChannelHandlerContext ctx,
            int status,
            String contentType,
            byte[] body,
            String requestId,
            Map<String, String> extra) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(ErrorResponder.REQUEST_ID_HEADER, requestId)
                .set("content-security-policy", CSP)
                .set("x-content-type-options", "nosniff")
                .set("x-frame-options", "DENY")
                .set("referrer-policy", "no-referrer");
        if (!h.contains(HttpHeaderNames.CACHE_CONTROL) && !extra.containsKey("cache-control")) {
            h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        extra.forEach(h::add);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    static void json(ChannelHandlerContext ctx, int status, String json, String requestId, Map<String, String> extra) {
        send(ctx, status, "application/json", json.getBytes(StandardCharsets.UTF_8), requestId, extra);
    }
}
