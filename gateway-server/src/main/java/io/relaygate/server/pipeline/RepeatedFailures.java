package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the security log readable under a brute-force or a misconfigured client: per client address, the first
 * failure of a window is logged in full and the rest are only counted; the first failure after the window logs the
 * count of the ones that were held back. Bounded: at most {@link #MAX_ADDRESSES} addresses are tracked, the oldest
 * windows are dropped first.
 */
public final class RepeatedFailures {

    static final long WINDOW_NANOS = 60_000_000_000L;
    static final int MAX_ADDRESSES = 10_000;

    /** What to log for one failure. */
    record Verdict(boolean log, long heldBack) {}

    private static final class Window {
        long startNanos;
        long heldBack;

        Window(long startNanos) {
            this.startNanos = startNanos;
        }
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    public RepeatedFailures(LongSupplier nanoTime) {
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Counts a failure from {@code address}: log it (with the number held back since the last logged one), or only
     * count it.
     */
    Verdict failure(@Nullable String address) {
        String a = address == null ? "-" : address;
        long now = nanoTime.getAsLong();
        if (windows.size() >= MAX_ADDRESSES && !windows.containsKey(a)) {
            evictOld(now);
        }
        Window w = windows.computeIfAbsent(a, k -> new Window(now - WINDOW_NANOS - 1));
        synchronized (w) {
            if (now - w.startNanos > WINDOW_NANOS) {
                long held = w.heldBack;
                w.startNanos = now;
                w.heldBack = 0;
                return new Verdict(true, held);
            }
            w.heldBack++;
            return new Verdict(false, 0);
        }
    }

    private void evictOld(long now) {
        for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
            Window w = it.next();
            if (now - w.startNanos > WINDOW_NANOS) {
                it.remove();
            }
        }
        if (windows.size() >= MAX_ADDRESSES) {
            windows.clear();
        }
    }
}
