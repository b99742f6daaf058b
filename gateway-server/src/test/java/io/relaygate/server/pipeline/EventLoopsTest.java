package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventLoopsTest {

    @Test
    void aResultForAStoppedLoopIsDroppedWithoutFailingTheStoreThread() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        AtomicInteger called = new AtomicInteger();
        CompletableFuture<String> lookup = new CompletableFuture<>();
        CompletableFuture<Void> after = lookup.thenRun(() -> {});

        EventLoops.onLoop(lookup, loop, (v, e) -> called.incrementAndGet());
        lookup.complete("key");

        assertThat(called.get()).as("nothing runs off the loop").isZero();
        assertThat(after).as("the completing thread goes on normally").isCompleted();
        assertThat(after.isCompletedExceptionally()).isFalse();
    }

    @Test
    void aResultRunsOnItsLoop() throws Exception {
        EventLoop loop = new DefaultEventLoop();
        try {
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            CompletableFuture<String> lookup = new CompletableFuture<>();
            EventLoops.onLoop(lookup, loop, (v, e) -> onLoop.complete(loop.inEventLoop()));
            lookup.complete("key");
            assertThat(onLoop.get(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }
}
