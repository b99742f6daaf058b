package io.relaygate.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.jspecify.annotations.Nullable;

/**
 * The load driver's h2c connection (HTTP/2 with prior knowledge, RFC 9113 section 3.3), the only handler of its
 * pipeline: its slots' requests go out as streams of it, and one frame listener hands each answer's HEADERS and DATA
 * frames to the slot whose stream it is, found by stream id. There is no child channel per stream and no frame object
 * per DATA frame: at 100,000 events/s (the stream harness, docs/benchmarks.md) the child channels' pipelines, their
 * frame objects and the multiplexer's dispatch were most of the driver's time. The DATA frames' bytes are read in place
 * ({@link LoadSlot#onBody}) and belong to the decoder, which releases them; the flow controller returns the window as
 * each frame is read. Lives on the connection's event loop, as its slots do.
 */
final class H2cConnectionHandler extends Http2ConnectionHandler {

    /**
     * Each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE), above a whole stream of the harness (200 events of
     * ~200 bytes), so the mock never waits for a stream's WINDOW_UPDATE.
     */
    static final int STREAM_WINDOW_BYTES = 1 << 20;
    /**
     * What the connection's receive window grows by at the start (RFC 9113 section 6.9.2: it starts at 65,535 bytes
     * whatever the settings say); the flow controller then tops it up as the streams are read.
     */
    static final int CONNECTION_WINDOW_INCREMENT = 16 << 20;

    /** A new connection handler sending {@code run}'s request on each stream. */
    static H2cConnectionHandler create(LoadRun run) {
        return new Builder(run).create();
    }

    private final LoadRun run;
    private final Http2Headers requestHeaders;
    /** The open streams' slots by stream id; a slot leaves when its answer ends or its stream closes. */
    private final IntObjectMap<LoadSlot> slots = new IntObjectHashMap<>();

    private @Nullable ChannelHandlerContext ctx;
    /** Inside a read: {@link #channelReadComplete} flushes what the slots wrote meanwhile, once. */
    private boolean reading;

    private H2cConnectionHandler(
            Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings, LoadRun run) {
        super(decoder, encoder, settings);
        this.run = run;
        this.requestHeaders = run.http2Headers();
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                // A reset (either way), a GOAWAY above the stream or the connection's end, before the answer ended.
                LoadSlot slot = slots.remove(stream.id());
                if (slot != null) {
                    slot.onStreamClosed();
                }
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    /**
     * Whether the connection can carry a new stream now: open, and no GOAWAY received (RFC 9113 section 6.8: the
     * server takes no new stream after it; a slot then retries until the connection closes or the run ends).
     */
    boolean isActive() {
        ChannelHandlerContext c = ctx;
        return c != null && c.channel().isActive() && !connection().goAwayReceived();
    }

    /**
     * Opens a stream for {@code slot}'s next request and writes it (headers, then the body ending the stream); flushed
     * at once unless a read is in progress, whose end flushes. The slot hears of its answer through {@link LoadSlot}'s
     * {@code onHead}, {@code onBody} and {@code onStreamClosed}; a write that fails closes the stream. Runs on the
     * connection's loop.
     */
    void send(LoadSlot slot) {
        ChannelHandlerContext c = ctx;
        if (c == null || !isActive()) {
            slot.onStreamClosed();
            return;
        }
        Http2Connection.Endpoint<?> local = connection().local();
        int id = local.incrementAndGetNextStreamId();
        if (id < 0) {
            // Stream ids are used up (2^31 / 2 requests on one connection).
            slot.onStreamClosed();
            return;
        }
        slots.put(id, slot);
        ChannelPromise head = c.newPromise();
        encoder().writeHeaders(c, id, requestHeaders, 0, false, head);
        ByteBuf body = Unpooled.wrappedBuffer(run.body());
        encoder().writeData(c, id, body, 0, true, c.newPromise()).addListener(f -> {
            if (!f.isSuccess() && slots.remove(id) == slot) {
                slot.onStreamClosed();
            }
        });
        if (!reading) {
            flush(c);
        }
    }

    /** Widens the connection's receive window ({@link #CONNECTION_WINDOW_INCREMENT}); runs on the loop once up. */
    void widenWindow() throws Http2Exception {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            return;
        }
        Http2Stream connectionStream = connection().connectionStream();
        decoder().flowController().incrementWindowSize(connectionStream, CONNECTION_WINDOW_INCREMENT);
        flush(c);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        reading = false;
        super.channelReadComplete(ctx);
    }

    /** The answers' frames, to their slots. */
    private final class Frames extends Http2FrameAdapter {

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            int processed = data.readableBytes() + padding;
            LoadSlot slot = endOfStream ? slots.remove(streamId) : slots.get(streamId);
            if (slot != null) {
                slot.onBody(data, endOfStream);
            }
            return processed;
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            LoadSlot slot = slots.get(streamId);
            if (slot == null) {
                return;
            }
            CharSequence status = headers.status();
            if (status != null) {
                int code = Integer.parseInt(status.toString());
                if (code / 100 == 1) {
                    return;
                }
                CharSequence type = headers.get(HttpHeaderNames.CONTENT_TYPE);
                slot.onHead(code, true, type == null ? null : type.toString());
            }
            if (endOfStream) {
                // No body, or trailers after it.
                slots.remove(streamId);
                slot.onBody(Unpooled.EMPTY_BUFFER, true);
            }
        }
    }

    /** Netty's way to build a subclass of {@link Http2ConnectionHandler} with its decoder and encoder. */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<H2cConnectionHandler, Builder> {

        private final LoadRun run;

        Builder(LoadRun run) {
            this.run = run;
            server(false);
            initialSettings(Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW_BYTES));
        }

        H2cConnectionHandler create() {
            return build();
        }

        @Override
        protected H2cConnectionHandler build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
            H2cConnectionHandler handler = new H2cConnectionHandler(decoder, encoder, initialSettings, run);
            frameListener(handler.new Frames());
            return handler;
        }
    }
}
