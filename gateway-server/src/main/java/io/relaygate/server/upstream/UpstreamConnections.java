package io.relaygate.server.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * Where RELAY gets upstream connections and gives them back: {@link UpstreamPool} in the gateway; the relay's unit test
 * hands out {@code EmbeddedChannel}s instead.
 */
public interface UpstreamConnections {

    /** A connection handed out, and whether it was reused (a reused one may have gone stale). */
    record Lease(Channel channel, boolean reused) {}

    /**
     * A connection to {@code target} on {@code loop}, ready for a request (connected, proxy and TLS handshakes done).
     * Must be called on {@code loop}.
     */
    Future<Lease> acquire(EventLoop loop, UpstreamTarget target);

    /**
     * Takes back a connection whose exchange completed with the whole response read and keep-alive allowed; anything
     * else is closed by the caller instead. Must be called on the connection's event loop.
     */
    void release(Channel ch, UpstreamTarget target);

    /**
     * Whether the request sent on {@code ch}, closed before its answer's head, never reached the upstream's processing
     * (an HTTP/2 stream the server refused or left out with {@code GOAWAY}): safe to send again on a fresh connection.
     */
    default boolean unprocessed(Channel ch) {
        return false;
    }

    /**
     * One-off calls beside the relayed exchange (Bedrock's CountTokens) through the same proxy and TLS set-up, on
     * {@code loop}; null where connections are not made here (a test's stand-in hands out channels only), and the caller
     * answers without them.
     */
    default @Nullable TokenCalls oneOffCalls(EventLoop loop) {
        return null;
    }
}
