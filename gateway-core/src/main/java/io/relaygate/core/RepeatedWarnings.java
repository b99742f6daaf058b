package io.relaygate.core;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Keeps an outage from flooding the log: per kind of trouble, the first warning of an interval is logged, the others
 * are only counted, and the next logged one says how many were held back. A store outage at thousands of requests a
 * second then writes one line per kind and interval instead of one per request (the fault probe saw 33,000 lines in
 * 11 s before this). Kinds are a small fixed set chosen by the caller (never request data), so the map stays small.
 */
public final class RepeatedWarnings {

    /** How often at most one kind of warning is logged by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    private static final class Slot {
        long loggedAtNanos;
        long heldBack;
        boolean logged;
    }

    private final Logger logger;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

    public RepeatedWarnings(Logger logger) {
        this(logger, DEFAULT_INTERVAL, System::nanoTime);
    }

    /**
     * @param interval how often at most one kind is logged
     * @param nanoTime the clock intervals are measured with (tests pass a fake one)
     */
    public RepeatedWarnings(Logger logger, Duration interval, LongSupplier nanoTime) {
        this.logger = requireNonNull(logger, "logger");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: > 0)");
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Warns {@code message} ({@code kind}: what went wrong, e.g. {@code "admission"}), unless this kind was logged less
     * than an interval ago; then it is only counted. The message must be free of secrets already.
     *
     * @return whether the line was written
     */
    public boolean warn(String kind, String message) {
        long held = take(kind);
        if (held < 0) {
            return false;
        }
        if (held == 0) {
            logger.warn("{}", message);
        } else {
            logger.warn("{} ({} more like it in the last {}s)", message, held, intervalNanos / 1_000_000_000L);
        }
        return true;
    }

    /** The number held back since the last line of {@code kind} when a line is due now, else -1 (counted). */
    long take(String kind) {
        Slot slot = slots.computeIfAbsent(requireNonNull(kind, "kind"), k -> new Slot());
        long now = nanoTime.getAsLong();
        synchronized (slot) {
            if (slot.logged && now - slot.loggedAtNanos < intervalNanos) {
                slot.heldBack++;
                return -1;
            }
            long held = slot.heldBack;
            slot.logged = true;
            slot.loggedAtNanos = now;
            slot.heldBack = 0;
            return held;
        }
    }
}
