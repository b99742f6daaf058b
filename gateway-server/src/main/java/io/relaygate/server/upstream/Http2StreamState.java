package io.relaygate.server.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * UPSTREAM_H2_STREAM, on one HTTP/2 stream's child channel right after the frame-to-HTTP/1.1 codec: drops the codec's
 * own {@code x-http2-stream-id} header from the answer's head (the relay sees the head an HTTP/1.1 upstream would send)
 * and notes when the upstream said it never processed the request (RFC 9113 sections 6.8 and 8.7: a {@code GOAWAY}
 * whose last stream id is below this stream, or {@code REFUSED_STREAM}), which makes the request safe to send again on
 * another connection. Per stream, on its connection's event loop.
 */
final class Http2StreamState extends ChannelInboundHandlerAdapter {

    private static final String STREAM_ID_HEADER =
            HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text().toString();

    private boolean unprocessed;

    /**
     * Whether the request sent on {@code ch} never reached the upstream's processing: it was refused as above, or its
     * headers never left (the stream has no id). False for a channel that is no HTTP/2 stream.
     */
    static boolean unprocessed(Channel ch) {
        if (!(ch instanceof Http2StreamChannel)) {
            return false;
        }
        Http2StreamState state = ch.pipeline().get(Http2StreamState.class);
        return (state != null && state.unprocessed)
                || ((Http2StreamChannel) ch).stream().id() < 0;
    }

    /** Whether this stream was refused or left out by a GOAWAY (see {@link #unprocessed(Channel)}). */
    boolean refused() {
        return unprocessed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse) {
            ((HttpResponse) msg).headers().remove(STREAM_ID_HEADER);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2GoAwayFrame) {
            // The multiplexer tells only the streams above the GOAWAY's last stream id; the frame is a retained copy.
            unprocessed = true;
            ReferenceCountUtil.release(evt);
            return;
        }
        if (evt instanceof Http2ResetFrame && ((Http2ResetFrame) evt).errorCode() == Http2Error.REFUSED_STREAM.code()) {
            unprocessed = true;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
