package io.relaygate.server.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.PromiseCombiner;
import org.jspecify.annotations.Nullable;

/**
 * The first handler (unnamed: the stream bootstrap adds it) of one HTTP/2 stream's child channel: turns the relay's {@link FullHttpRequest}
 * into a HEADERS frame (and a DATA frame for its body), and the upstream's HEADERS and DATA frames into the HTTP/1.1
 * objects the relay reads ({@link Http2Messages}: the head an HTTP/1.1 upstream would send). The DATA frames' buffers
 * move into the contents as they are; the stream's flow-control credit goes back as the child channel reads, as
 * before. A compressed answer gets a {@link HttpContentDecompressor} right after this handler (the gateway asks for
 * identity, so that is rare; see {@link LazyDecompressor}).
 *
 * <p>It also notes when the upstream said it never processed the request (RFC 9113 sections 6.8 and 8.7: a {@code
 * GOAWAY} whose last stream id is below this stream, or {@code REFUSED_STREAM}), which makes the request safe to send
 * again on another connection. One per stream (it holds that stream's state), on its connection's event loop; being
 * the only handler before the relay's, it is the bootstrap's handler, with no initializer to add and remove.
 */
final class Http2StreamCodec extends ChannelDuplexHandler {

    private final AsciiString scheme;
    private final @Nullable Http2Link link;
    private boolean unprocessed;
    private boolean decompressing;

    /**
     * {@code scheme}: {@link Http2Messages#HTTPS} on a TLS connection, else {@link Http2Messages#HTTP}; {@code link}:
     * the stream's connection (null in tests), asked whether it was found dead.
     */
    Http2StreamCodec(AsciiString scheme, @Nullable Http2Link link) {
        this.scheme = scheme;
        this.link = link;
    }

    /**
     * Whether the request sent on {@code ch} may be sent again on a fresh connection: it never reached the upstream's
     * processing (refused as above, or its headers never left: the stream has no id), or its connection was found dead
     * (no answer to a PING) before the answer began, the HTTP/2 case of a stale keep-alive connection, which the relay
     * retries once as on HTTP/1.1. False for a channel that is no HTTP/2 stream.
     */
    static boolean unprocessed(Channel ch) {
        if (!(ch instanceof Http2StreamChannel)) {
            return false;
        }
        Http2StreamCodec codec = ch.pipeline().get(Http2StreamCodec.class);
        if (codec != null && (codec.unprocessed || (codec.link != null && codec.link.foundDead()))) {
            return true;
        }
        return ((Http2StreamChannel) ch).stream().id() < 0;
    }

    /** Whether this stream was refused or left out by a GOAWAY (see {@link #unprocessed(Channel)}). */
    boolean refused() {
        return unprocessed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof Http2HeadersFrame) {
            Http2HeadersFrame frame = (Http2HeadersFrame) msg;
            HttpObject out;
            try {
                out = Http2Messages.response(streamId(frame.stream()), frame.headers(), frame.isEndStream());
            } finally {
                ReferenceCountUtil.release(frame);
            }
            if (!decompressing && out instanceof HttpResponse && LazyDecompressor.compressed((HttpResponse) out)) {
                ctx.pipeline().addAfter(ctx.name(), LazyDecompressor.DECOMPRESSOR, new HttpContentDecompressor(0));
                decompressing = true;
            }
            ctx.fireChannelRead(out);
        } else if (msg instanceof Http2DataFrame) {
            Http2DataFrame frame = (Http2DataFrame) msg;
            // takes over the frame's one reference: the content is the frame's buffer
            ByteBuf content = frame.content();
            ctx.fireChannelRead(
                    frame.isEndStream() ? new DefaultLastHttpContent(content) : new DefaultHttpContent(content));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** Takes ownership of a {@link FullHttpRequest}: its body becomes the DATA frame. Anything else passes. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof FullHttpRequest)) {
            ctx.write(msg, promise);
            return;
        }
        FullHttpRequest request = (FullHttpRequest) msg;
        Http2Headers headers;
        @Nullable Http2Headers trailers = null;
        try {
            headers = Http2Messages.requestHeaders(request, scheme);
            if (!request.trailingHeaders().isEmpty()) {
                trailers = HttpConversionUtil.toHttp2Headers(request.trailingHeaders(), true);
            }
        } catch (RuntimeException e) {
            request.release();
            promise.setFailure(e);
            return;
        }
        ByteBuf body = request.content();
        if (!body.isReadable() && trailers == null) {
            request.release();
            ctx.write(new DefaultHttp2HeadersFrame(headers, true), promise);
            return;
        }
        PromiseCombiner sent = new PromiseCombiner(ctx.executor());
        sent.add(ctx.write(new DefaultHttp2HeadersFrame(headers, false)));
        if (body.isReadable()) {
            sent.add(ctx.write(new DefaultHttp2DataFrame(body, trailers == null)));
        } else {
            request.release();
        }
        if (trailers != null) {
            sent.add(ctx.write(new DefaultHttp2HeadersFrame(trailers, true)));
        }
        sent.finish(promise);
    }

    /**
     * The connection flushes once at the end of this event-loop turn for every stream that wrote in it, instead of once
     * per request ({@link Http2Link#flushSoon()}).
     */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        Http2Link l = link;
        if (l != null) {
            l.flushSoon();
        } else {
            ctx.flush();
        }
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

    private static int streamId(@Nullable Http2FrameStream stream) {
        return stream == null ? 0 : stream.id();
    }
}
