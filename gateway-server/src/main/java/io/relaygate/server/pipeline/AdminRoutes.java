package io.relaygate.server.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The gateway's own endpoints that ROUTE hands over before any API route is resolved (the admin API). An interface
 * here, so that the inbound pipeline does not depend on the admin package that implements it.
 */
public interface AdminRoutes {

    /** Whether {@code path} (without the query) is one of these endpoints. */
    boolean matches(String path);

    /**
     * Answers the request on {@code ctx}; {@code body} is the whole (small) request body, empty for GET, and is not
     * retained.
     */
    void handle(ChannelHandlerContext ctx, HttpRequest request, String path, ByteBuf body);

    /** Both sets of endpoints: {@code first} answers the paths it matches, {@code second} the rest of its own. */
    static AdminRoutes both(AdminRoutes first, AdminRoutes second) {
        java.util.Objects.requireNonNull(first, "first");
        java.util.Objects.requireNonNull(second, "second");
        return new AdminRoutes() {
            @Override
            public boolean matches(String path) {
                return first.matches(path) || second.matches(path);
            }

            @Override
            public void handle(ChannelHandlerContext ctx, HttpRequest request, String path, ByteBuf body) {
                (first.matches(path) ? first : second).handle(ctx, request, path, body);
            }
        };
    }
}
