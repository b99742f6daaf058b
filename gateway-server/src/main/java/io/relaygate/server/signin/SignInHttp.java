package io.relaygate.server.signin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The sign-in endpoints' answers: JSON with {@code Cache-Control: no-store} (RFC 6749 §5.1), OAuth errors as
 * {@code {"error":…,"error_description":…}}, and the approval page's files under the same strict
 * Content-Security-Policy as the console (no inline script or style, no framing).
 */
final class SignInHttp {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SignInHttp() {}

    static void send(
            ChannelHandlerContext ctx, int status, String contentType, byte[] body, Map<String, String> extra) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.PRAGMA, "no-cache")
                .set("content-security-policy", CSP)
                .set("x-content-type-options", "nosniff")
                .set("x-frame-options", "DENY")
                .set("referrer-policy", "no-referrer");
        extra.forEach(h::set);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    static void json(ChannelHandlerContext ctx, int status, ObjectNode body) {
        send(ctx, status, "application/json", body.toString().getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** An OAuth error (RFC 6749 §5.2, RFC 8628 §3.5). */
    static void oauthError(ChannelHandlerContext ctx, int status, String error, @Nullable String description) {
        ObjectNode body = JSON.createObjectNode().put("error", error);
        if (description != null) {
            body.put("error_description", description);
        }
        json(ctx, status, body);
    }

    /**
     * The form parameters of a {@code application/x-www-form-urlencoded} body (first value of each; RFC 6749 §3.2
     * has a repeated parameter be an error, which the endpoints check where it matters).
     */
    static Map<String, String> form(ByteBuf body) {
        String text = body.toString(StandardCharsets.UTF_8);
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, List<String>> e : new QueryStringDecoder(text, StandardCharsets.UTF_8, false)
                .parameters()
                .entrySet()) {
            if (!e.getValue().isEmpty()) {
                out.put(e.getKey(), e.getValue().get(0));
            }
        }
        return out;
    }

    /**
     * The client's {@code User-Agent} (Claude Code's names its version: {@code claude-cli/2.1.330 (external, cli)}), at
     * most 200 characters, with control characters and quotes replaced so it cannot forge a log line.
     */
    static String userAgent(HttpRequest request) {
        String ua = request.headers().get(HttpHeaderNames.USER_AGENT, "unknown");
        String cut = ua.length() > 200 ? ua.substring(0, 200) : ua;
        return cut.replaceAll("[\\p{Cntrl}\"]", "?");
    }
}
