package io.relaygate.bench.load;

import org.HdrHistogram.Histogram;

/**
 * What one driver event loop measured in the window; written only on that loop, merged after the run. Times in
 * microseconds.
 */
final class LoadStats {

    /** One hour: longer values are clamped, never dropped. */
    private static final long MAX_MICROS = 3_600_000_000L;

    final Histogram latency = histogram();
    final Histogram ttfb = histogram();
    final Histogram gaps = histogram();
    long requests;
    long bytes;
    long statusErrors;
    long ioErrors;
    long streams;
    long lostStreams;
    long lostEvents;
    long lateEvents;
    long events;

    private static Histogram histogram() {
        return new Histogram(1, MAX_MICROS, 3);
    }

    static void record(Histogram h, long nanos) {
        h.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
    }

    /** Adds {@code other}'s counts to this one. */
    void add(LoadStats other) {
        latency.add(other.latency);
        ttfb.add(other.ttfb);
        gaps.add(other.gaps);
        requests += other.requests;
        bytes += other.bytes;
        statusErrors += other.statusErrors;
        ioErrors += other.ioErrors;
        streams += other.streams;
        lostStreams += other.lostStreams;
        lostEvents += other.lostEvents;
        lateEvents += other.lateEvents;
        events += other.events;
    }

    LoadStats copy() {
        LoadStats c = new LoadStats();
        c.add(this);
        return c;
    }
}
