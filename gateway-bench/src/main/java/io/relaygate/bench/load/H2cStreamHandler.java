package io.relaygate.bench.load;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.ReferenceCountUtil;

/**
 * The first handler of an h2c stream's pipeline in the load driver: reads the answer's frames itself and hands them to
 * its {@link LoadSlot} (the status and content type of the HEADERS frame, then each DATA frame's bytes, which the slot
 * scans for events in place), so the counting path converts no frame into an HTTP object. The request goes out through
 * the {@link Http2StreamFrameToHttpObjectCodec} behind it (writes pass this handler untouched); no frame goes further,
 * only the stream's end and errors reach the {@link LoadClientHandler} at the pipeline's end. Frames are released here.
 */
final class H2cStreamHandler extends ChannelDuplexHandler {

    private final LoadSlot slot;

    H2cStreamHandler(LoadSlot slot) {
        this.slot = slot;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2DataFrame) {
                Http2DataFrame data = (Http2DataFrame) msg;
                slot.onBody(data.content(), data.isEndStream());
            } else if (msg instanceof Http2HeadersFrame) {
                headers((Http2HeadersFrame) msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void headers(Http2HeadersFrame frame) {
        Http2Headers h = frame.headers();
        CharSequence status = h.status();
        if (status != null) {
            int code = Integer.parseInt(status.toString());
            if (code / 100 == 1) {
                return;
            }
            CharSequence type = h.get(HttpHeaderNames.CONTENT_TYPE);
            slot.onHead(code, true, type == null ? null : type.toString());
        }
        if (frame.isEndStream()) {
            // No body, or trailers after it.
            slot.onBody(Unpooled.EMPTY_BUFFER, true);
        }
    }
}
