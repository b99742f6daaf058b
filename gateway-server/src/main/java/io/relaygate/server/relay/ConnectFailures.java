package io.relaygate.server.relay;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.relaygate.core.UpstreamFailure;
import java.io.IOException;
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
        if (loop.isShuttingDown()) {
            return UpstreamFailure.GATEWAY_STOPPING;
        }
        // the cause may come wrapped (a promise failed with a wrapper, a handler rethrew): look along the chain,
        // bounded, for what is ours
        Throwable c = cause;
        for (int depth = 0; c != null && depth < MAX_CAUSE_DEPTH; depth++, c = c.getCause()) {
            if (c instanceof RejectedExecutionException || c instanceof IllegalStateException) {
                return UpstreamFailure.GATEWAY_STOPPING;
            }
            // OutOfMemoryError covers Netty's OutOfDirectMemoryError (a buffer we could not allocate) too
            if (c instanceof VirtualMachineError || c instanceof LinkageError) {
                return UpstreamFailure.GATEWAY_FAULT;
            }
            if (c instanceof ConnectTimeoutException) {
                return UpstreamFailure.CONNECT_TIMEOUT;
            }
            if (c instanceof IOException) {
                return UpstreamFailure.CONNECT_FAILED;
            }
        }
        // anything else (an unresolved address, a proxy's refusal) is the way to the upstream failing
        return UpstreamFailure.CONNECT_FAILED;
    }

    private static final int MAX_CAUSE_DEPTH = 8;

    /** What the gateway's log says about {@code cause} (an address or a proxy's answer; never sent to the client). */
    static String detail(Throwable cause) {
        return cause instanceof ConnectException || cause instanceof ConnectTimeoutException
                ? String.valueOf(cause.getMessage())
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
