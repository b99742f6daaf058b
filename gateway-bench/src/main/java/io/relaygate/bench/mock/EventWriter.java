package io.relaygate.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Writes the body pieces of one connection's answers for {@link MockHandler} and records them: the exchange's bytes,
 * the soak's usage tally ({@code GET /_mock/usage}) and the events written, counted once the bytes are written.
 *
 * <p>A chunked HTTP/1.1 answer that no {@link CloudMockHandler} transcodes has its events written as ready-made chunks
 * ({@link SseChunks}) from the HTTP codec's context, past the encoder (which still writes the head and the last chunk:
 * its state stays "in a chunked body" in between). That is the stream harness's hot path: one buffer per event instead
 * of an {@code HttpContent} that the encoder turns into three. On HTTP/2 the same answer's events go as one ready-made
 * DATA frame each, handed straight to the connection's frame codec's encoder (past the stream's pipeline, its
 * HTTP-to-frame codec and the multiplexer) with the void promise, and are counted by the connection's one flush per loop
 * pass ({@link ConnectionFlush}). Everything else goes through the whole pipeline.
 */
final class EventWriter {

    private final MockUpstream mock;
    /** The HTTP/1.1 codec's context while the current answer's events are written as ready-made chunks. */
    private @Nullable ChannelHandlerContext chunks;
    /** On HTTP/2: the connection's flush, shared by its streams, that {@link #flush} asks for. */
    private @Nullable ConnectionFlush connectionFlush;
    /** On HTTP/2, while the current answer's events go as DATA frames: the connection's frame codec's context. */
    private @Nullable ChannelHandlerContext frames;
    /** The frame codec of {@link #frames}. */
    private @Nullable Http2FrameCodec codec;

    EventWriter(MockUpstream mock) {
        this.mock = mock;
    }

    /** A streamed answer starts on {@code ctx}; {@code chunked}: its body is chunked (not close-delimited). */
    void start(ChannelHandlerContext ctx, boolean chunked) {
        chunks = null;
        frames = null;
        codec = null;
        connectionFlush = ctx.channel() instanceof Http2StreamChannel
                ? ConnectionFlush.of((Http2StreamChannel) ctx.channel())
                : null;
        CloudMockHandler cloud = ctx.pipeline().get(CloudMockHandler.class);
        if (cloud != null && cloud.transcodes()) {
            return;
        }
        if (connectionFlush != null) {
            frames = ctx.channel().parent().pipeline().context(Http2FrameCodec.class);
            codec = frames == null ? null : (Http2FrameCodec) frames.handler();
        } else if (chunked) {
            chunks = ctx.pipeline().context(HttpServerCodec.class);
        }
    }

    /** Writes one event of the script (no flush). */
    void event(ChannelHandlerContext ctx, Exchange ex, AnthropicScript.Event e) {
        ChannelHandlerContext connection = frames;
        if (connection != null) {
            frame(connection, (Http2StreamChannel) ctx.channel(), ex, e);
            return;
        }
        ChannelHandlerContext codec = chunks;
        if (codec == null) {
            write(ctx, ex, e.encode(ctx.alloc()), e.data(), true);
            return;
        }
        ByteBuf chunk = SseChunks.chunk(ctx.alloc(), e);
        int header = SseChunks.sizeLineLength(chunk);
        int body = chunk.readableBytes() - header - 2;
        ex.wrote(chunk, chunk.readerIndex() + header, body);
        recorded(codec.write(chunk), ex.declare(e.data()), body, true);
    }

    /**
     * One event as one DATA frame of {@code stream}, handed to the frame codec's encoder with no promise (what the codec
     * does with a {@code Http2DataFrame} written to it, without the frame object and the pipeline's write path): the
     * stream is open (its channel is active, checked by the caller on the same loop), and the connection's flush
     * counts it.
     */
    private void frame(
            ChannelHandlerContext connection, Http2StreamChannel stream, Exchange ex, AnthropicScript.Event e) {
        ByteBuf buf = e.encode(connection.alloc());
        int n = buf.readableBytes();
        ex.wrote(buf, buf.readerIndex(), n);
        long[] raise = ex.declare(e.data());
        Http2FrameCodec frameCodec = java.util.Objects.requireNonNull(codec, "codec");
        int id = stream.stream().id();
        if (!DataFrames.write(connection, frameCodec, id, buf)) {
            frameCodec.encoder().writeData(connection, id, buf, 0, false, connection.voidPromise());
        }
        ConnectionFlush flush = java.util.Objects.requireNonNull(connectionFlush, "connectionFlush");
        flush.add(n, raise);
        flush.request();
    }

    /**
     * Flushes what the current answer wrote, from where its events were written; on HTTP/2 once per pass of the loop
     * for all the connection's streams ({@link ConnectionFlush}).
     */
    void flush(ChannelHandlerContext ctx) {
        ConnectionFlush shared = connectionFlush;
        if (shared != null) {
            shared.request();
            return;
        }
        ChannelHandlerContext codec = chunks;
        (codec != null ? codec : ctx).flush();
    }

    /** Writes {@code sse} (a fault's tail, a flood piece) through the whole pipeline (no flush). */
    void text(ChannelHandlerContext ctx, Exchange ex, String sse) {
        write(ctx, ex, Unpooled.wrappedBuffer(sse.getBytes(StandardCharsets.UTF_8)), sse, false);
    }

    /** A body piece through the whole pipeline; {@code text} is read for usage. */
    private void write(ChannelHandlerContext ctx, Exchange ex, ByteBuf buf, String text, boolean event) {
        int n = buf.readableBytes();
        ex.wrote(buf, buf.readerIndex(), n);
        recorded(ctx.write(new DefaultHttpContent(buf)), ex.declare(text), n, event);
    }

    private void recorded(ChannelFuture written, long[] raise, int bytes, boolean event) {
        written.addListener(f -> {
            if (f.isSuccess()) {
                mock.flushed(bytes);
                mock.declared(raise);
                if (event) {
                    mock.eventWritten();
                }
            }
        });
    }
}
