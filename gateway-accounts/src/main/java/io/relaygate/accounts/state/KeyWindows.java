package io.relaygate.accounts.state;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A key's admission windows as they stand, for the console: the requests and tokens counted in the current request and
 * token windows (fixed windows, {@link AdmissionRequest#windowStart}) with when each resets, and the concurrency
 * leases held. A part is null when the key has no such rule, or the backend cannot tell ({@link #UNKNOWN}).
 */
public record KeyWindows(
        @Nullable Window requests,
        @Nullable Window tokens,
        @Nullable Long inFlight) {

    /** Nothing known. */
    public static final KeyWindows UNKNOWN = new KeyWindows(null, null, null);

    /** What the current window counted and when it ends. */
    public record Window(long used, Instant resetsAt) {}
}
