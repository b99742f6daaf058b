package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wheel on a real event loop: lower bounds and order only, nothing about how late this machine runs a tick. */
class PacingWheelTest {

    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static long tickStart(long nanos) {
        long tick = Math.floorDiv(nanos, Pacing.TICK_NANOS);
        return (nanos % Pacing.TICK_NANOS == 0 ? tick : tick + 1) * Pacing.TICK_NANOS;
    }

    @Test
    void everyTimerFiresOnceNotBeforeItsTickAndTicksRunInOrder() throws Exception {
        int n = 60;
        long[] due = new long[n];
        long[] fired = new long[n];
        List<Integer> order = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(n);
        boolean[] idleAfter = new boolean[1];
        long[] putOn = new long[1];
        loop.submit(() -> {
                    PacingWheel wheel = PacingWheel.of(loop);
                    long now = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        int k = i;
                        // Ticks 1 to 30 ms ahead, two timers a tick, put on out of order.
                        due[k] = tickStart(now + (30 - k / 2) * Pacing.TICK_NANOS);
                        wheel.schedule(
                                new PacingWheel.Timer(() -> {
                                    fired[k] = System.nanoTime();
                                    order.add(k);
                                    if (order.size() == n) {
                                        loop.execute(() -> idleAfter[0] = !wheel.ticking());
                                    }
                                    all.countDown();
                                }),
                                due[k]);
                    }
                    putOn[0] = System.nanoTime();
                })
                .sync();

        assertThat(all.await(30, TimeUnit.SECONDS)).as("every timer fired").isTrue();
        loop.submit(() -> {}).sync();
        assertThat(order).as("each once").hasSize(n).doesNotHaveDuplicates();
        for (int i = 0; i < n; i++) {
            assertThat(fired[i]).as("timer %s not before its tick", i).isGreaterThanOrEqualTo(due[i]);
        }
        // A timer whose tick passed while the others were put on (a slow machine) fires at the next tick not run yet,
        // so the order is checked among those due after the last one was put on.
        long later = tickStart(putOn[0]) + Pacing.TICK_NANOS;
        List<Long> ticks =
                order.stream().map(k -> due[k]).filter(d -> d > later).toList();
        assertThat(ticks).as("ticks run in order").isSorted();
        assertThat(idleAfter[0])
                .as("the tick task stops once the wheel is empty")
                .isTrue();
    }

    @Test
    void aCancelledTimerDoesNotFireAndATimerPutOnAgainFromItsStepFiresAgain() throws Exception {
        CountDownLatch threeSteps = new CountDownLatch(3);
        int[] cancelledFired = new int[1];
        loop.submit(() -> {
                    PacingWheel wheel = PacingWheel.of(loop);
                    PacingWheel.Timer cancelled = new PacingWheel.Timer(() -> cancelledFired[0]++);
                    wheel.schedule(cancelled, System.nanoTime() + 2 * Pacing.TICK_NANOS);
                    cancelled.cancel();
                    PacingWheel.Timer[] again = new PacingWheel.Timer[1];
                    again[0] = new PacingWheel.Timer(() -> {
                        threeSteps.countDown();
                        if (threeSteps.getCount() > 0) {
                            wheel.schedule(again[0], System.nanoTime() + 5 * Pacing.TICK_NANOS);
                        }
                    });
                    wheel.schedule(again[0], System.nanoTime() + 3 * Pacing.TICK_NANOS);
                })
                .sync();

        assertThat(threeSteps.await(30, TimeUnit.SECONDS))
                .as("three steps, each from the one before")
                .isTrue();
        loop.submit(() -> {}).sync();
        assertThat(cancelledFired[0]).as("the cancelled timer").isZero();
    }

    @Test
    void pausesOfTheWheelsSpanOrMoreGoToTheLoopsScheduler() {
        assertThat(PacingWheel.accepts(20 * Pacing.TICK_NANOS)).isTrue();
        assertThat(PacingWheel.accepts(PacingWheel.SLOTS * Pacing.TICK_NANOS)).isFalse();
        assertThat(PacingWheel.accepts(TimeUnit.SECONDS.toNanos(2)))
                .as("the slow scenario's 1 s pause fits; 2 s not")
                .isFalse();
        assertThat(PacingWheel.accepts(TimeUnit.SECONDS.toNanos(1))).isTrue();
    }
}
