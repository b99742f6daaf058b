package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PacingTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void eventsAreDueOnWholeMillisecondsOneIntervalApart() {
        Pacing p = new Pacing();
        long now = 5 * MS + 300_000;
        long due = now + p.delayNanos(now, 20);
        assertThat(due).as("rounded up to a tick").isEqualTo(26 * MS);
        for (int i = 0; i < 5; i++) {
            // The timer fires a little late each time: the next event is still due one interval after the last was.
            now = due + 700_000;
            long next = now + p.delayNanos(now, 20);
            assertThat(next - due).as("gap %d", i).isEqualTo(20 * MS);
            assertThat(Math.floorMod(next, MS)).isZero();
            due = next;
        }
    }

    @Test
    void twoStreamsStartedInTheSameMillisecondShareItsTicks() {
        Pacing a = new Pacing();
        Pacing b = new Pacing();
        long t = 1_000 * MS;
        assertThat(t + 100 + a.delayNanos(t + 100, 20)).isEqualTo(t + 400_000 + b.delayNanos(t + 400_000, 20));
    }

    @Test
    void aStreamThatFellBehindSendsAtTheNextTickWithoutABurst() {
        Pacing p = new Pacing();
        long now = 0 + MS;
        long due = now + p.delayNanos(now, 20);
        now = due + 50 * MS + 1;
        long next = now + p.delayNanos(now, 20);
        assertThat(next).as("the next tick after now").isEqualTo(due + 51 * MS);
        long after = next + p.delayNanos(next, 20);
        assertThat(after - next).as("then whole intervals again").isEqualTo(20 * MS);
    }

    @Test
    void aResetStreamStartsFromNow() {
        Pacing p = new Pacing();
        p.delayNanos(MS, 20);
        p.reset();
        long now = 500 * MS;
        assertThat(p.delayNanos(now, 20)).isEqualTo(20 * MS);
    }
}
