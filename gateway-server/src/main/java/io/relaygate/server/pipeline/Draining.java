package io.relaygate.server.pipeline;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stop in progress and the exchanges it waits for. On SIGTERM the gateway {@linkplain #start() starts draining}:
 * {@code /readyz} answers 503 (nginx and orchestrators move new requests elsewhere), every connection gets
 * {@link Event#STOP} (an idle one closes, a busy one closes after its exchange), and the exchanges in flight run to
 * completion; at the deadline the rest get {@link Event#DEADLINE} and end with an error in the client's format.
 *
 * <p>One per gateway, shared by every connection: a flag and a counter, nothing else.
 */
public final class Draining {

    /** User events fired down every client pipeline. */
    public enum Event {
        /** Take no new request on this connection; close it once its exchange ended. */
        STOP,
        /** The drain time is up: end the exchange in flight now. */
        DEADLINE
    }

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();

    /** Starts draining; returns false when it had started already. */
    public boolean start() {
        return draining.compareAndSet(false, true);
    }

    public boolean draining() {
        return draining.get();
    }

    /** An exchange was admitted to run; {@link #exchangeEnded()} follows exactly once. */
    public void exchangeStarted() {
        inFlight.incrementAndGet();
    }

    public void exchangeEnded() {
        inFlight.decrementAndGet();
    }

    /** Exchanges between admission and their end, on every connection. */
    public int inFlight() {
        return inFlight.get();
    }
}
