package io.relaygate.bench.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;

/** The last handler of a driver connection: hands responses to its {@link LoadSlot}; the messages are released. */
final class LoadClientHandler extends SimpleChannelInboundHandler<HttpObject> {

    private final LoadSlot slot;

    LoadClientHandler(LoadSlot slot) {
        this.slot = slot;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpResponse) {
            slot.onHead((HttpResponse) msg);
        }
        if (msg instanceof HttpContent) {
            slot.onContent((HttpContent) msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        slot.onInactive(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
