package io.relaygate.server.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * UPSTREAM_RESPONSE: the upstream channel's end of a relay, added for one {@link UpstreamCall} and removed when the
 * call detaches. It hands every event to the call on the same event loop; content ownership moves with the call.
 *
 * <p>Interim responses (1xx other than 101: {@code 100 Continue}, {@code 103 Early Hints}) are not the answer: RFC 9110
 * §15.2 has a client expect any number of them before the final response, so they are dropped here with the empty
 * content the codec gives each, and the call sees the final head only.
 */
final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {

    private final UpstreamCall call;
    /** An interim response's head was read: its (empty) content is dropped too. */
    private boolean interim;

    UpstreamResponseHandler(UpstreamCall call) {
        this.call = call;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse) {
            HttpResponse head = (HttpResponse) msg;
            interim = head.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && head.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code();
        }
        if (interim) {
            if (msg instanceof LastHttpContent) {
                interim = false;
            }
            ReferenceCountUtil.release(msg);
            return;
        }
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
