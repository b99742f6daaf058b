package io.relaygate.server.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;

/**
 * FORWARDED: on every request head, resolves the client's address ({@link ClientAddress}) from the connection's
 * address and the request's {@code X-Forwarded-For}, for every later stage and log line. In the pipeline only when
 * {@code server.trustedProxies} names some proxy.
 *
 * <p>{@code @Sharable}: it keeps nothing between calls (the result lives in a channel attribute).
 */
@ChannelHandler.Sharable
public final class ForwardedForHandler extends ChannelInboundHandlerAdapter {

    private final ClientAddress addresses;

    public ForwardedForHandler(ClientAddress addresses) {
        this.addresses = addresses;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            Channel ch = ctx.channel();
            String connection = ch.attr(ClientAddress.CONNECTION).get();
            String peer = connection != null ? connection : ClientAddress.host(ch.remoteAddress());
            ch.attr(ClientAddress.REQUEST)
                    .set(addresses.resolve(peer, ((HttpRequest) msg).headers().getAll("x-forwarded-for")));
        }
        ctx.fireChannelRead(msg);
    }
}
