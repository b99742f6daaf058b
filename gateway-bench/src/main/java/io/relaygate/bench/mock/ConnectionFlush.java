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
 */
final class ConnectionFlush implements Runnable {

    private static final AttributeKey<ConnectionFlush> KEY = AttributeKey.valueOf("relaygate.mock.connectionFlush");

    private final Channel connection;
    private boolean queued;

    private ConnectionFlush(Channel connection) {
        this.connection = connection;
    }

    /** Sets up {@code connection} (an HTTP/2 connection) for {@link #of(Http2StreamChannel)}. */
    static void install(Channel connection) {
        connection.attr(KEY).set(new ConnectionFlush(connection));
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

    @Override
    public void run() {
        queued = false;
        connection.flush();
    }
}
