package io.relaygate.server.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.relaygate.core.Secrets;
import io.relaygate.server.pipeline.PipelineNames;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UPSTREAM_H2_LINK: one HTTP/2 connection to an upstream as {@link Http2Pool} sees it, the last handler of the
 * connection's pipeline (after Netty's frame codec and stream multiplexer). It is ready once the server's first
 * {@code SETTINGS} arrived (so its {@code SETTINGS_MAX_CONCURRENT_STREAMS} is known before a stream is opened), counts
 * the streams it carries, and stops taking streams on {@code GOAWAY} (then closes when the last one ended) or when
 * closed. Each stream is a child channel whose one handler, {@link Http2StreamCodec}, turns frames into the HTTP/1.1
 * objects the relay reads and back. A connection the server has sent nothing on for a while is PINGed, and closed
 * when the answer does not come in time (keep-alive, and a dead connection found before a request is lost on it).
 *
 * <p>Flow control: a stream's window is Netty's default (64 KiB) and its credit goes back to the upstream only as the
 * child channel reads, which the relay stops while its client is not writable, so a slow client stalls only its own
 * stream; the connection's window is raised to {@link #CONNECTION_WINDOW_BYTES} so that stalled streams, each holding
 * at most its window, do not use up the connection's. Confined to the connection's event loop.
 */
final class Http2Link extends ChannelInboundHandlerAdapter {

    private static final Logger logger = LoggerFactory.getLogger(Http2Link.class);

    /** Streams a connection carries when its server announces no limit (RFC 9113 section 6.5.2 suggests 100). */
    static final int DEFAULT_MAX_STREAMS = 100;
    /** The connection's receive window: room for many stalled streams' windows before the others feel it. */
    static final int CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

    private static final int MAX_HEADER_LIST_BYTES = 64 * 1024;

    /** What the pool hears from a link. */
    interface Owner {
        /** The link became ready, a stream of it ended, or it takes no more streams (GOAWAY, closed). */
        void changed(Http2Link link);
    }

    private final Owner owner;
    private final long settingsTimeoutMillis;
    private final long idleCloseMillis;
    private final long pingIntervalNanos;
    private final long pingTimeoutNanos;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable Http2StreamChannelBootstrap streams;
    private AsciiString scheme = Http2Messages.HTTP;
    private long lastReadNanos;
    /** When the PING not yet answered went out, or -1. */
    private long pingSentNanos = -1;
    /** Closed because a PING went unanswered. */
    private boolean dead;

    private boolean flushPending;
    private final Runnable flush = this::flushNow;

    private @Nullable Promise<Http2Link> ready;
    private int maxStreams = DEFAULT_MAX_STREAMS;
    private int active;
    private boolean draining;
    private long idleGeneration;

    /**
     * How long a link waits. {@code settingsTimeoutMillis}: for the server's first SETTINGS; {@code idleCloseMillis}:
     * before it closes once it carries no stream (0: at once); {@code pingIntervalMillis}: after how long without a
     * frame from the server a PING goes out (0: never); {@code pingTimeoutMillis}: how long its answer (or any frame)
     * may take before the connection is taken for dead and closed.
     */
    record Timings(long settingsTimeoutMillis, long idleCloseMillis, long pingIntervalMillis, long pingTimeoutMillis) {}

    /** A link alone without PINGs (tests); {@link #install} adds it with the HTTP/2 handlers before it. */
    Http2Link(Owner owner, long settingsTimeoutMillis, long idleCloseMillis) {
        this(owner, new Timings(settingsTimeoutMillis, idleCloseMillis, 0, 0));
    }

    /** A link alone (tests); {@link #install} adds it with the HTTP/2 handlers before it. */
    Http2Link(Owner owner, Timings timings) {
        this.owner = owner;
        this.settingsTimeoutMillis = timings.settingsTimeoutMillis();
        this.idleCloseMillis = timings.idleCloseMillis();
        this.pingIntervalNanos = TimeUnit.MILLISECONDS.toNanos(timings.pingIntervalMillis());
        this.pingTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(timings.pingTimeoutMillis());
    }

    /**
     * Adds the HTTP/2 client handlers and a link to {@code p}; the connection preface goes out when the channel is (or
     * becomes) active.
     */
    static Http2Link install(ChannelPipeline p, Owner owner, Timings timings) {
        Http2Settings settings = Http2Settings.defaultSettings()
                .pushEnabled(false)
                .initialWindowSize(Http2CodecUtil.DEFAULT_WINDOW_SIZE)
                .maxHeaderListSize(MAX_HEADER_LIST_BYTES);
        Http2Link link = new Http2Link(owner, timings);
        p.addLast(
                        PipelineNames.UPSTREAM_H2,
                        Http2FrameCodecBuilder.forClient()
                                .initialSettings(settings)
                                .build())
                .addLast(PipelineNames.UPSTREAM_H2_MUX, new Http2MultiplexHandler(RefusePushed.INSTANCE))
                .addLast(PipelineNames.UPSTREAM_H2_LINK, link);
        return link;
    }

    /** Succeeds when the server's first SETTINGS arrived; fails when the connection closed before. */
    Future<Http2Link> ready() {
        Promise<Http2Link> r = ready;
        if (r == null) {
            throw new IllegalStateException("link not in a pipeline");
        }
        return r;
    }

    Channel channel() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("link not in a pipeline");
        }
        return c.channel();
    }

    /** Whether a new stream may be opened here now. */
    boolean accepts() {
        Promise<Http2Link> r = ready;
        return r != null
                && r.isSuccess()
                && !draining
                && active < maxStreams
                && channel().isActive();
    }

    /** Whether this link will never take a stream again. */
    boolean gone() {
        return draining || !channel().isActive();
    }

    /**
     * Flushes the connection at the end of this event-loop turn (once, however many streams ask): requests read from
     * several clients in one turn leave in one write, and the frame codec's flow controller runs once for them.
     */
    void flushSoon() {
        if (!flushPending) {
            flushPending = true;
            channel().eventLoop().execute(flush);
        }
    }

    private void flushNow() {
        flushPending = false;
        ChannelHandlerContext c = ctx;
        if (c != null) {
            c.flush();
        }
    }

    /** Whether this connection was closed because it did not answer a PING in time. */
    boolean foundDead() {
        return dead;
    }

    int activeStreams() {
        return active;
    }

    /** Opens a stream (a child channel) for one request; counted until it closes. Call when {@link #accepts()}. */
    Future<Http2StreamChannel> openStream() {
        active++;
        idleGeneration++;
        Http2StreamChannelBootstrap b = streams;
        if (b == null) {
            b = new Http2StreamChannelBootstrap(channel());
            streams = b;
        }
        // on the connection's loop, open() sets the stream up before it returns: the handler is this stream's
        Future<Http2StreamChannel> opened =
                b.handler(new Http2StreamCodec(scheme, this)).open();
        opened.addListener(f -> {
            if (opened.isSuccess()) {
                opened.getNow().closeFuture().addListener(c -> streamEnded());
            } else {
                streamEnded();
            }
        });
        return opened;
    }

    private void streamEnded() {
        active--;
        if (active == 0) {
            if (draining || idleCloseMillis == 0) {
                draining = true;
                channel().close();
            } else {
                long generation = ++idleGeneration;
                channel().eventLoop().schedule(() -> closeIfIdle(generation), idleCloseMillis, TimeUnit.MILLISECONDS);
            }
        }
        owner.changed(this);
    }

    private void closeIfIdle(long generation) {
        if (active == 0 && idleGeneration == generation) {
            draining = true;
            channel().close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        scheme = ctx.pipeline().get(SslHandler.class) != null ? Http2Messages.HTTPS : Http2Messages.HTTP;
        lastReadNanos = System.nanoTime();
        Promise<Http2Link> r = ctx.executor().newPromise();
        ready = r;
        ctx.executor()
                .schedule(
                        () -> {
                            if (!r.isDone()) {
                                ctx.close();
                            }
                        },
                        settingsTimeoutMillis,
                        TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2SettingsFrame) {
                Long max = ((Http2SettingsFrame) msg).settings().maxConcurrentStreams();
                if (max != null) {
                    maxStreams = (int) Math.min(max, Integer.MAX_VALUE);
                }
                Promise<Http2Link> r = ready;
                if (r != null && !r.isDone()) {
                    // The preface went out before the server's SETTINGS could arrive: the window update may follow.
                    ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(
                            CONNECTION_WINDOW_BYTES - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
                    r.trySuccess(this);
                    if (pingIntervalNanos > 0) {
                        schedulePingCheck(pingIntervalNanos);
                    }
                }
                owner.changed(this);
            } else if (msg instanceof Http2GoAwayFrame) {
                // Streams the server started run to their end; those it did not were told (Http2StreamCodec).
                draining = true;
                if (active == 0) {
                    ctx.close();
                }
                owner.changed(this);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        lastReadNanos = now();
        ctx.fireChannelReadComplete();
    }

    private long now() {
        return channel().eventLoop().ticker().nanoTime();
    }

    private void schedulePingCheck(long delayNanos) {
        channel().eventLoop().schedule(this::pingCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Keep-alive and dead-connection detection: a connection the server sent nothing on for the PING interval gets a
     * PING; when neither its answer nor any other frame comes within the PING timeout, the connection is closed. Its
     * streams then end before their heads like those of any lost connection (the relay retries the ones that never
     * left), and the pool opens another connection for the requests still waiting.
     */
    private void pingCheck() {
        ChannelHandlerContext c = ctx;
        if (c == null || !c.channel().isActive()) {
            return;
        }
        long now = now();
        if (pingSentNanos != -1) {
            if (lastReadNanos - pingSentNanos >= 0) {
                pingSentNanos = -1; // answered (or something else came): alive
            } else if (now - pingSentNanos >= pingTimeoutNanos) {
                logger.debug(
                        "[{}] upstream HTTP/2 connection did not answer a PING within {} ms: closing it",
                        c.channel().id(),
                        TimeUnit.NANOSECONDS.toMillis(pingTimeoutNanos));
                draining = true;
                dead = true;
                c.close();
                return;
            } else {
                schedulePingCheck(pingSentNanos + pingTimeoutNanos - now);
                return;
            }
        }
        long quiet = now - lastReadNanos;
        if (quiet < pingIntervalNanos) {
            schedulePingCheck(pingIntervalNanos - quiet);
            return;
        }
        pingSentNanos = now;
        c.writeAndFlush(new DefaultHttp2PingFrame(now)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        schedulePingCheck(pingTimeoutNanos);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        draining = true;
        Promise<Http2Link> r = ready;
        if (r != null) {
            r.tryFailure(new ClosedChannelException());
        }
        owner.changed(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logger.debug(
                "[{}] upstream HTTP/2 connection error: {}", ctx.channel().id(), Secrets.redact(String.valueOf(cause)));
        ctx.close();
    }

    /** Streams the server opens (push, which the settings turn off) are closed at once. */
    @ChannelHandler.Sharable
    private static final class RefusePushed extends ChannelInboundHandlerAdapter {
        static final RefusePushed INSTANCE = new RefusePushed();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }
}
