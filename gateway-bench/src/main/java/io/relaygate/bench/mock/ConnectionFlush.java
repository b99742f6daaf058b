package io.relaygate.bench.mock;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;

/**
 * One flush of an HTTP/2 connection for all the events its streams wrote in one pass of its event loop. A paced stream
 * writes its due events from its own timer task; flushing each stream would send one TCP segment per event (a child
 * channel's flush is the connection's flush). Instead the first stream to ask queues one task on the loop, which runs
 * after the timer tasks due in the same pass (Netty moves every due timer to the task queue before running it), so the
 * events of every stream due in one millisecond tick ({@link Pacing}) go out in one write. Lives on the connection's
 * event loop, as its streams do.
 *
 * <p>Events written straight to the connection as DATA frames ({@link EventWriter}) carry no promise each: they are
 * {@link #add added} here and reported to {@link Written} after the flush that sends them, if the connection is still
 * open then (what a flush cannot send stays in the channel's outbound buffer, which a closing connection fails).
 */
final class ConnectionFlush implements Runnable {

    /** Told after each flush how many events and body bytes it sent, and the usage they declared (input, output). */
    @FunctionalInterface
    interface Written {
        void written(int events, long bytes, long[] declared);
    }

    private static final AttributeKey<ConnectionFlush> KEY = AttributeKey.valueOf("relaygate.mock.connectionFlush");

    private final Channel connection;
    private final Written written;
    private boolean queued;
    private int events;
    private long bytes;
    private final long[] declared = new long[2];

    private ConnectionFlush(Channel connection, Written written) {
        this.connection = connection;
        this.written = written;
    }

    /** Sets up {@code connection} (an HTTP/2 connection) for {@link #of(Http2StreamChannel)}. */
    static void install(Channel connection, Written written) {
        connection.attr(KEY).set(new ConnectionFlush(connection, written));
    }

    /** The flush of {@code stream}'s connection. */
    static ConnectionFlush of(Http2StreamChannel stream) {
        return on(stream.parent());
    }

    /** The flush {@link #install(Channel)} set up on {@code connection}. */
    static ConnectionFlush on(Channel connection) {
        ConnectionFlush f = connection.attr(KEY).get();
        if (f == null) {
            throw new IllegalStateException("connection " + connection.id() + ": no ConnectionFlush installed");
        }
        return f;
    }

    /** Flushes the connection once the tasks queued before this call have run (on the connection's loop). */
    void request() {
        if (!queued) {
            queued = true;
            connection.eventLoop().execute(this);
        }
    }

    /**
     * An event of {@code n} body bytes declaring {@code raise} (input, output) was written to the connection without a
     * promise: counted at the next flush.
     */
    void add(int n, long[] raise) {
        events++;
        bytes += n;
        declared[0] += raise[0];
        declared[1] += raise[1];
    }

    @Override
    public void run() {
        queued = false;
        connection.flush();
        int sent = events;
        long sentBytes = bytes;
        long[] raise = {declared[0], declared[1]};
        events = 0;
        bytes = 0;
        declared[0] = 0;
        declared[1] = 0;
        if (sent > 0 && connection.isActive()) {
            written.written(sent, sentBytes, raise);
        }
    }
}
