package io.relaygate.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One connection's worth of load: sends a request, reads its response, sends the next, reconnecting when the server
 * closes. Lives on one event loop; {@link LoadClientHandler} feeds it the channel's responses. Closed loop: the next
 * request goes out as soon as the previous one finished. Open loop: request {@code k} is due at {@code start + phase +
 * k × period}; a request that could not go out on time (the previous one was still running) goes out as soon as the
 * connection is free, and its latency still counts from when it was due. With h2c the slot's "connection" is one
 * HTTP/2 stream on a connection it shares with other slots ({@code h2c}, whose {@link H2cConnectionHandler} hands it
 * its answer's frames): each request opens a new stream, and the stream closes with its answer.
 */
final class LoadSlot {

    private enum State {
        CONNECTING,
        IDLE,
        WAITING,
        READING,
        STOPPED,
    }

    private final LoadRun run;
    private final EventLoop loop;
    private final LoadStats stats;
    private final SseEventCounter counter;
    private final long intervalNanos;
    /** h2c: the connection this slot's streams are opened on; {@code null}: a connection of its own (HTTP/1.1). */
    private final @Nullable H2cConnectionHandler h2c;

    private State state = State.CONNECTING;
    private @Nullable Channel channel;
    private long nextDue;
    private long due;
    private long firstByte;
    private long lastEvent;
    private boolean streamOpen;
    private boolean keepAlive;

    LoadSlot(LoadRun run, EventLoop loop, LoadStats stats) {
        this(run, loop, stats, null);
    }

    /** A slot whose requests are streams on {@code h2c} (on its event loop), or with {@code null} on connections. */
    LoadSlot(LoadRun run, EventLoop loop, LoadStats stats, @Nullable H2cConnectionHandler h2c) {
        this.run = run;
        this.loop = loop;
        this.h2c = h2c;
        this.stats = stats;
        this.counter = new SseEventCounter(run.options().countEvent());
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(run.options().intervalMillis());
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * Opens the connection; the future completes when it is up (or failed). h2c: the shared connection is up already
     * and each request opens its own stream, so this only checks that the connection is still open.
     */
    Future<?> connect(Bootstrap bootstrap) {
        H2cConnectionHandler connection = h2c;
        if (connection != null) {
            Promise<Void> p = loop.newPromise();
            if (loop.inEventLoop()) {
                h2cUp(connection, p);
            } else {
                loop.execute(() -> h2cUp(connection, p));
            }
            return p;
        }
        ChannelFuture f = bootstrap.clone(loop).handler(run.initializer(this)).connect();
        channel = f.channel();
        f.addListener(done -> {
            if (done.isSuccess() && state == State.CONNECTING) {
                state = State.IDLE;
            }
        });
        return f;
    }

    private void h2cUp(H2cConnectionHandler connection, Promise<Void> p) {
        if (!connection.isActive()) {
            p.setFailure(new ClosedChannelException());
            return;
        }
        if (state == State.CONNECTING) {
            state = State.IDLE;
        }
        p.setSuccess(null);
    }

    /** Starts sending at {@code firstDue} (nanoTime); runs on the loop. */
    void begin(long firstDue) {
        nextDue = firstDue;
        if (state != State.IDLE) {
            stop();
            return;
        }
        schedule();
    }

    /** Opens the connection at {@code firstDue} (nanoTime) and starts sending once it is up; runs on the loop. */
    void connectAndBegin(long firstDue) {
        nextDue = firstDue;
        loop.schedule(this::reconnect, Math.max(0, firstDue - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void schedule() {
        long now = System.nanoTime();
        long wait = nextDue - now;
        if (wait > 0) {
            loop.schedule(this::next, wait, TimeUnit.NANOSECONDS);
        } else {
            next();
        }
    }

    /** Sends the next request if one is due and the connection is free. */
    private void next() {
        if (state != State.IDLE) {
            return;
        }
        long now = System.nanoTime();
        if (!run.options().openLoop()) {
            if (now >= run.end()) {
                stop();
                return;
            }
            if (nextDue > now) {
                schedule();
                return;
            }
            send(now);
            return;
        }
        if (nextDue >= run.end()) {
            stop();
            return;
        }
        if (nextDue > now) {
            schedule();
            return;
        }
        long d = nextDue;
        nextDue += run.periodNanos();
        send(d);
    }

    private void send(long dueAt) {
        H2cConnectionHandler connection = h2c;
        if (connection != null) {
            begun(dueAt);
            connection.send(this);
            return;
        }
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            // Closed under us: its channelInactive (queued or past) reconnects; the request is sent after that.
            state = State.CONNECTING;
            if (ch == null) {
                reconnect();
            }
            return;
        }
        begun(dueAt);
        ch.writeAndFlush(run.newRequest()).addListener(f -> {
            if (!f.isSuccess()) {
                failed();
            }
        });
    }

    /** A request due at {@code dueAt} goes out now. */
    private void begun(long dueAt) {
        due = dueAt;
        firstByte = 0;
        lastEvent = 0;
        streamOpen = false;
        counter.reset();
        state = State.WAITING;
    }

    void onHead(HttpResponse head) {
        onHead(head.status().code(), HttpUtil.isKeepAlive(head), head.headers().get(HttpHeaderNames.CONTENT_TYPE));
    }

    /** The answer's head: its status, whether the connection stays open after it, its content type if any. */
    void onHead(int status, boolean keepOpen, @Nullable String type) {
        if (state != State.WAITING) {
            return;
        }
        state = State.READING;
        keepAlive = keepOpen;
        boolean measured = measured();
        if (status / 100 != 2 && measured) {
            stats.statusErrors++;
        }
        if (type != null && type.startsWith("text/event-stream")) {
            streamOpen = true;
            run.streamOpened();
        }
    }

    void onContent(HttpContent content) {
        onBody(content.content(), content instanceof LastHttpContent);
    }

    /** A piece of the answer's body (read in place, not consumed); {@code last}: the answer ends with it. */
    void onBody(ByteBuf buf, boolean last) {
        if (state != State.READING) {
            return;
        }
        long now = System.nanoTime();
        int n = buf.readableBytes();
        if (n > 0 && firstByte == 0) {
            firstByte = now;
        }
        stats.bytes += n;
        if (streamOpen) {
            int ended = counter.feed(buf);
            long seen = counter.events();
            for (int i = 0; i < ended; i++) {
                if (lastEvent != 0 && measured()) {
                    long gap = now - lastEvent;
                    LoadStats.record(stats.gaps, gap);
                    if (intervalNanos > 0 && gap > 2 * intervalNanos) {
                        stats.late(now - run.measureStart(), seen - ended + i + 1);
                    }
                }
                lastEvent = now;
            }
        }
        if (last) {
            complete(now);
        }
    }

    private void complete(long now) {
        if (measured()) {
            stats.requests++;
            LoadStats.record(stats.latency, now - due);
            LoadStats.record(stats.ttfb, (firstByte == 0 ? now : firstByte) - due);
            if (streamOpen) {
                long seen = counter.events();
                stats.streams++;
                stats.events += seen;
                int expected = run.options().events();
                if (expected > 0 && seen < expected) {
                    stats.lostStreams++;
                    stats.lostEvents += expected - seen;
                }
            }
        }
        closeStream();
        if (h2c != null) {
            // The stream ended with this answer: the next request goes out on a new stream.
            reconnect();
            return;
        }
        if (keepAlive) {
            state = State.IDLE;
            next();
            return;
        }
        // The server closes after this answer: reconnect (from channelInactive) rather than write into a closing
        // connection.
        state = State.CONNECTING;
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private boolean measured() {
        return due >= run.measureStart() && due < run.end();
    }

    private void closeStream() {
        if (streamOpen) {
            streamOpen = false;
            run.streamClosed();
        }
    }

    /** The request in flight failed (write error, reset, the server closed mid-response). */
    private void failed() {
        if (state == State.WAITING || state == State.READING) {
            if (measured()) {
                stats.ioErrors++;
            }
            closeStream();
            state = State.CONNECTING;
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    void onInactive(Channel ch) {
        if (ch != channel) {
            return;
        }
        lost();
    }

    /**
     * h2c: the request's stream closed before its answer ended (a reset either way, a GOAWAY above it, the
     * connection's end, or a write that failed).
     */
    void onStreamClosed() {
        lost();
    }

    private void lost() {
        if (state == State.STOPPED) {
            return;
        }
        failed();
        if (System.nanoTime() >= run.end() && !run.options().openLoop()) {
            stop();
            return;
        }
        // A closed keep-alive connection (or a failed one): reconnect and carry on.
        state = State.CONNECTING;
        loop.schedule(this::reconnect, 10, TimeUnit.MILLISECONDS);
    }

    private void reconnect() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.CONNECTING;
        connect(run.bootstrap()).addListener(f -> {
            if (f.isSuccess()) {
                next();
            } else if (System.nanoTime() >= run.end() + run.options().drain().toNanos()) {
                stop();
            } else {
                loop.schedule(this::reconnect, 100, TimeUnit.MILLISECONDS);
            }
        });
    }

    private void stop() {
        if (state != State.STOPPED) {
            state = State.STOPPED;
            run.slotDone();
        }
    }

    /**
     * The run is over: a request still in flight, and in the open loop every request that was due in the window but
     * never went out, is recorded as timed out with its latency so far (a lower bound), so a stall is never dropped
     * from the tail. Runs on the loop.
     */
    long abort() {
        long now = System.nanoTime();
        long timedOut = 0;
        if ((state == State.WAITING || state == State.READING) && measured()) {
            LoadStats.record(stats.latency, now - due);
            timedOut++;
        }
        if (run.options().openLoop() && state != State.STOPPED) {
            for (long d = Math.max(nextDue, run.measureStart()); d < run.end(); d += run.periodNanos()) {
                if (d <= now) {
                    LoadStats.record(stats.latency, now - d);
                    timedOut++;
                }
            }
        }
        closeStream();
        stop();
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
        return timedOut;
    }
}
