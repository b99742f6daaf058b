package io.relaygate.bench.mock;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The paced streams' timer on one event loop: a wheel of {@link Pacing#TICK_NANOS} ticks. {@link Pacing} puts every
 * stream's next event on a whole tick, so at the stream harness's 100,000 events/s (docs/benchmarks.md) some fifty
 * streams per loop are due at each tick. One task at a fixed rate of one tick runs them all, instead of one scheduled
 * task per event in the loop's priority queue (a new task object, and an insertion and a removal among the thousand
 * other streams' tasks, per event). A timer is due at the tick it was put on, never earlier, and when the loop runs
 * late the late ticks are all run at the next pass, in order. The tick task stops while the wheel is empty.
 *
 * <p>Lives on its event loop (one per loop thread); every method runs there.
 */
final class PacingWheel {

    /** Ticks in the wheel; a pause of this many ticks or more goes to the loop's own scheduler ({@link #accepts}). */
    static final int SLOTS = 1024;

    private static final int MASK = SLOTS - 1;
    private static final FastThreadLocal<PacingWheel> WHEELS = new FastThreadLocal<>();

    /** One paced stream's next step; on one wheel at a time, at most once. */
    static final class Timer {
        /** Runs at its tick, on the loop. */
        private final Runnable step;
        /** The tick it is due at, 0 when not on the wheel (or cancelled: its entry is then skipped). */
        private long dueTick;

        Timer(Runnable step) {
            this.step = step;
        }

        /** Takes the timer off the wheel, if it is on one. */
        final void cancel() {
            dueTick = 0;
        }
    }

    /** The wheel of {@code loop}, the loop this runs on. */
    static PacingWheel of(EventExecutor loop) {
        PacingWheel w = WHEELS.get();
        if (w == null || w.loop != loop) {
            w = new PacingWheel(loop);
            WHEELS.set(w);
        }
        return w;
    }

    /** Whether a pause of {@code delayNanos} fits on the wheel. */
    static boolean accepts(long delayNanos) {
        return delayNanos < (SLOTS - 1) * Pacing.TICK_NANOS;
    }

    private final EventExecutor loop;
    private final Runnable tickTask = this::tick;

    @SuppressWarnings("unchecked")
    private final ArrayList<Timer>[] slots = new ArrayList[SLOTS];

    /** The last tick run. */
    private long done;
    /** Entries on the wheel, cancelled ones included. */
    private int entries;

    private @Nullable ScheduledFuture<?> ticking;
    private @Nullable ArrayList<Timer> spare;

    private PacingWheel(EventExecutor loop) {
        this.loop = loop;
    }

    /**
     * Puts {@code timer} on the wheel for the tick holding {@code dueNanos} (nanoTime; {@link Pacing} gives a tick's
     * start), or the next tick not yet run; the delay must be one the wheel {@link #accepts}.
     */
    void schedule(Timer timer, long dueNanos) {
        long now = System.nanoTime();
        long nowTick = Math.floorDiv(now, Pacing.TICK_NANOS);
        if (ticking == null) {
            done = nowTick;
            long next = (nowTick + 1) * Pacing.TICK_NANOS - now;
            ticking = loop.scheduleAtFixedRate(tickTask, next, Pacing.TICK_NANOS, TimeUnit.NANOSECONDS);
        }
        long tick = Math.max(Math.floorDiv(dueNanos, Pacing.TICK_NANOS), done + 1);
        timer.dueTick = tick;
        put(timer, (int) (tick & MASK));
    }

    private void put(Timer timer, int i) {
        ArrayList<Timer> slot = slots[i];
        if (slot == null) {
            slot = new ArrayList<>();
            slots[i] = slot;
        }
        slot.add(timer);
        entries++;
    }

    /** Whether the tick task runs (it stops while no timer is on the wheel). */
    boolean ticking() {
        return ticking != null;
    }

    /** Runs every tick up to now that has not run yet, each one's timers in the order they were put on. */
    private void tick() {
        long nowTick = Math.floorDiv(System.nanoTime(), Pacing.TICK_NANOS);
        while (done < nowTick) {
            long t = ++done;
            int i = (int) (t & MASK);
            ArrayList<Timer> due = slots[i];
            if (due == null || due.isEmpty()) {
                continue;
            }
            // A timer fired now may put its next step on this slot a lap later: that goes to a fresh list.
            slots[i] = spare;
            spare = null;
            entries -= due.size();
            for (int k = 0; k < due.size(); k++) {
                Timer timer = due.get(k);
                if (timer.dueTick == t) {
                    timer.dueTick = 0;
                    timer.step.run();
                } else if (timer.dueTick > t) {
                    // Put on while the wheel ran far behind the clock: due a lap (or more) later.
                    put(timer, i);
                }
            }
            due.clear();
            spare = due;
        }
        ScheduledFuture<?> f = ticking;
        if (entries == 0 && f != null) {
            f.cancel(false);
            ticking = null;
        }
    }
}
