package io.relaygate.server.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * UPSTREAM_RESPONSE: the upstream channel's end of a relay, added for one exchange and removed when it ends. It hands
 * every event to its {@link UpstreamRelayHandler} on the same event loop; content ownership moves with the call.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {

    private final UpstreamRelayHandler relay;

    UpstreamResponseHandler(UpstreamRelayHandler relay) {
        this.relay = relay;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse) {
            relay.onUpstreamHead(ctx.channel(), (HttpResponse) msg);
        }
        if (msg instanceof HttpContent) {
            relay.onUpstreamContent(ctx.channel(), (HttpContent) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        relay.onUpstreamReadComplete(ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        relay.onUpstreamClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        relay.onUpstreamException(ctx.channel(), cause);
    }
}
