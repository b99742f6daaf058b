package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * KEEP_ALIVE: Netty's keep-alive handling, except on a connection in a {@link LingeringClose}: there the response says
 * {@code Connection: close}, but closing at once would reset it away, so the lingering close ends the connection.
 */
public final class GatewayKeepAliveHandler extends HttpServerKeepAliveHandler {

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (LingeringClose.closing(ctx.channel())) {
            ctx.write(msg, promise);
            return;
        }
        super.write(ctx, msg, promise);
    }
}
