package io.relaygate.server.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;

/**
 * KEEP_ALIVE: Netty's keep-alive handling, except on a connection in a {@link LingeringClose}: there the response says
 * {@code Connection: close}, but closing at once would reset it away, so the lingering close ends the connection. While
 * the gateway drains, every response says {@code Connection: close}: a proxy's pooled connection carries at most one
 * more request and is then given up by the proxy itself, never closed under a request it is sending.
 */
public final class GatewayKeepAliveHandler extends HttpServerKeepAliveHandler {

    private final Draining draining;

    public GatewayKeepAliveHandler() {
        this(new Draining());
    }

    public GatewayKeepAliveHandler(Draining draining) {
        this.draining = draining;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (LingeringClose.closing(ctx.channel())) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse && draining.draining()) {
            HttpUtil.setKeepAlive((HttpResponse) msg, false);
        }
        super.write(ctx, msg, promise);
    }
}
