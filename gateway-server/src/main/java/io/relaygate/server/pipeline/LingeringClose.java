package io.relaygate.server.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request body was refused without being read, without making the client miss the answer.
 * Closing a socket with unread input makes the kernel send a reset, which can destroy the error response in flight.
 * So the output is shut down first (the client reads the answer, then end of stream), the rest of the body is read and
 * dropped by ROUTE, and the connection closes when the client closes its side or after {@link #LINGER_MILLIS}.
 *
 * <p>The response says {@code Connection: close}; {@link GatewayKeepAliveHandler} leaves the closing to this class.
 */
final class LingeringClose {

    static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf(LingeringClose.class, "closing");

    /** How long refused body bytes are read and dropped before the connection closes anyway. */
    static final long LINGER_MILLIS = 2000;

    private LingeringClose() {}

    /** Marks the connection as closing, before its last response is written. */
    static void mark(Channel ch) {
        ch.attr(CLOSING).set(Boolean.TRUE);
    }

    /** Starts the lingering close once the last response was flushed. */
    static void start(Channel ch) {
        if (!ch.isActive()) {
            return;
        }
        mark(ch);
        ch.config().setAutoRead(true);
        if (ch instanceof DuplexChannel) {
            ((DuplexChannel) ch).shutdownOutput();
            ch.eventLoop().schedule(() -> ch.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            ch.close();
        }
    }

    static boolean closing(Channel ch) {
        return Boolean.TRUE.equals(ch.attr(CLOSING).get());
    }
}
