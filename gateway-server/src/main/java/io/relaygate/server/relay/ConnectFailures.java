package io.relaygate.server.relay;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.relaygate.core.UpstreamFailure;
import java.net.ConnectException;
import java.util.concurrent.RejectedExecutionException;

/** Why a connection to an upstream (or its proxy) could not be had, told apart from our own process stopping. */
final class ConnectFailures {

    private ConnectFailures() {}

    /**
     * The failure behind {@code cause}. A refused task or an event loop that is shutting down is the gateway's own
     * state, never the account's: it must not take the account out of rotation on every instance sharing the store.
     */
    static UpstreamFailure classify(Throwable cause, EventLoop loop) {
        if (cause instanceof RejectedExecutionException
                || cause instanceof IllegalStateException
                || loop.isShuttingDown()) {
            return UpstreamFailure.GATEWAY_STOPPING;
        }
        return cause instanceof ConnectTimeoutException
                ? UpstreamFailure.CONNECT_TIMEOUT
                : UpstreamFailure.CONNECT_FAILED;
    }

    /** What the gateway's log says about {@code cause} (an address or a proxy's answer; never sent to the client). */
    static String detail(Throwable cause) {
        return cause instanceof ConnectException || cause instanceof ConnectTimeoutException
                ? String.valueOf(cause.getMessage())
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
