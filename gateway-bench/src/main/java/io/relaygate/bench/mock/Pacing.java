package io.relaygate.bench.mock;

import java.util.concurrent.TimeUnit;

/**
 * When a paced stream's next event is due: one interval after the previous one was due (not after it went out, so the
 * rate holds however late the event loop runs a timer), rounded up to a whole millisecond of {@link System#nanoTime()}.
 * Every stream rounds to the same millisecond ticks, so the events due in one millisecond are written in one pass of
 * the event loop: one wake-up (and one timer system call) per millisecond instead of one per event, at 100,000 events
 * a second (the stream harness, docs/benchmarks.md). The gaps between a stream's events stay whole intervals.
 */
final class Pacing {

    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** When the next event is due (nanoTime); 0 before the stream's first pause. */
    private long nextDue;

    /** A new stream starts. */
    void reset() {
        nextDue = 0;
    }

    /**
     * The wait from {@code now} (nanoTime) until the next event: {@code intervalMillis} after the previous one was due,
     * or after {@code now} at the first pause or when the stream fell more than an interval behind (no burst to catch
     * up), rounded up to the next tick.
     */
    long delayNanos(long now, long intervalMillis) {
        long interval = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        nextDue = nextDue == 0 ? now + interval : Math.max(nextDue + interval, now);
        long tick = nextDue - Math.floorMod(nextDue, TICK_NANOS);
        if (tick < nextDue) {
            tick += TICK_NANOS;
        }
        nextDue = tick;
        return Math.max(0, tick - now);
    }
}
