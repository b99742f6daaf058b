package io.relaygate.bench.load;

import java.util.Arrays;
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
    /** Late events by the index of the event in its stream: the 2nd (the gap after the first), 3rd to 10th, later. */
    final long[] lateByIndex = new long[3];
    /** Late events per {@link #LATE_BUCKET_NANOS} since the window's start (grown as needed). */
    long[] lateByTime = new long[0];

    /** The late timeline's resolution. */
    static final long LATE_BUCKET_NANOS = 100_000_000L;

    private static Histogram histogram() {
        return new Histogram(1, MAX_MICROS, 3);
    }

    static void record(Histogram h, long nanos) {
        h.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1000)));
    }

    /**
     * Counts a late event: {@code sinceStart} after the window opened, the {@code index}th content event of its
     * stream (from 1).
     */
    void late(long sinceStart, long index) {
        lateEvents++;
        lateByIndex[index <= 2 ? 0 : index <= 10 ? 1 : 2]++;
        int b = (int) Math.max(0, sinceStart / LATE_BUCKET_NANOS);
        if (b >= lateByTime.length) {
            lateByTime = Arrays.copyOf(lateByTime, Math.max(b + 1, lateByTime.length * 2));
        }
        lateByTime[b]++;
    }

    /** {@link #lateByTime} up to its last bucket with a late event (the array grows by doubling). */
    long[] lateTimeline() {
        int n = lateByTime.length;
        while (n > 0 && lateByTime[n - 1] == 0) {
            n--;
        }
        return Arrays.copyOf(lateByTime, n);
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
        for (int i = 0; i < lateByIndex.length; i++) {
            lateByIndex[i] += other.lateByIndex[i];
        }
        if (other.lateByTime.length > lateByTime.length) {
            lateByTime = Arrays.copyOf(lateByTime, other.lateByTime.length);
        }
        for (int i = 0; i < other.lateByTime.length; i++) {
            lateByTime[i] += other.lateByTime[i];
        }
    }

    LoadStats copy() {
        LoadStats c = new LoadStats();
        c.add(this);
        return c;
    }
}
