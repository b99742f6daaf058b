package io.relaygate.server.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * UPSTREAM_RESPONSE: the upstream channel's end of a relay, added for one {@link UpstreamCall} and removed when the
 * call detaches. It hands every event to the call on the same event loop; content ownership moves with the call.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {

    private final UpstreamCall call;

    UpstreamResponseHandler(UpstreamCall call) {
        this.call = call;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse) {
            call.onHead((HttpResponse) msg);
        }
        if (msg instanceof HttpContent) {
            call.onContent((HttpContent) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        call.onReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        call.onClosed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        call.onException(cause);
    }
}
