package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's origin as a client reached it, for the absolute URLs it hands out (the sign-in's discovery document,
 * verification URI, single sign-on redirect) and for whether a cookie is {@code Secure}: {@code server.publicUrl}
 * when the operator set it; otherwise the request's {@code Host}, over TLS when it came over TLS here. {@code
 * X-Forwarded-Proto} and {@code X-Forwarded-Host} are believed only from a trusted proxy ({@code
 * server.trustedProxies}, the same peers {@link ClientAddress} believes): from anyone else they are ignored, since
 * anyone can write them and they would otherwise choose where a sign-in sends people.
 */
public final class PublicOrigin {

    /** A host with an optional port, or a bracketed IPv6 literal: nothing that could end a URL's authority. */
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    private final ClientAddress trusted;
    private final @Nullable String publicUrl;

    public PublicOrigin(ClientAddress trusted, @Nullable String publicUrl) {
        this.trusted = requireNonNull(trusted, "trusted");
        this.publicUrl = publicUrl;
    }

    /** {@code https://host[:port]} or {@code http://…}, without a final slash. */
    public String of(ChannelHandlerContext ctx, HttpRequest request) {
        if (publicUrl != null) {
            return publicUrl;
        }
        boolean fromProxy = trusted.trusts(ctx.channel().remoteAddress());
        String host = fromProxy ? last(request.headers().get("x-forwarded-host")) : null;
        if (host == null) {
            host = request.headers().get(HttpHeaderNames.HOST);
        }
        if (host == null || !HOST.matcher(host.trim()).matches()) {
            host = "localhost";
        }
        return (secure(ctx, request) ? "https://" : "http://") + host.trim();
    }

    /** Whether the client reached the gateway over TLS: here, at the public URL, or at a trusted proxy in front. */
    public boolean secure(ChannelHandlerContext ctx, HttpRequest request) {
        if (ctx.pipeline().get(SslHandler.class) != null) {
            return true;
        }
        if (publicUrl != null) {
            return publicUrl.startsWith("https:");
        }
        return trusted.trusts(ctx.channel().remoteAddress())
                && "https".equalsIgnoreCase(last(request.headers().get("x-forwarded-proto")));
    }

    /**
     * The last of a comma-separated header's values, or null: the one the trusted proxy next to us wrote, whether it
     * replaced the header or appended to what its own client sent.
     */
    private static @Nullable String last(@Nullable String value) {
        if (value == null) {
            return null;
        }
        String v = value.substring(value.lastIndexOf(',') + 1).trim();
        return v.isEmpty() ? null : v;
    }
}
