package io.relaygate.accounts.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.KillArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Redis link's per-loop mode ({@link RedisLink#runOn}): a command made on a loop goes over that loop's own
 * connection and completes on that loop; from any other thread it goes over the shared connection, as before.
 */
class LoopConnectionsTest {

    private static EventLoopGroup loops;

    private RedisLink link;
    private AutoCloseable perLoop;
    private RedisClusterAsyncCommands<String, String> redis;

    @BeforeAll
    static void startLoops() {
        RedisSupport.requireRedis();
        loops = LoopSupport.loops(2, "test-loop");
    }

    @AfterAll
    static void stopLoops() {
        LoopSupport.stop(loops);
    }

    @BeforeEach
    void open() {
        link = RedisLink.open(RedisSupport.url(), new CommandEvents());
        perLoop = link.runOn(loops, LoopSupport.channelClass());
        redis = link.commands();
    }

    @AfterEach
    void close() throws Exception {
        perLoop.close();
        link.close();
    }

    /** Makes the call on {@code loop} and tells on which thread its result completed. */
    private static Thread completedOn(EventLoop loop, Callable<CompletableFuture<?>> call) throws Exception {
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        loop.submit(() -> call.call().whenComplete((v, e) -> {
                    if (e != null) {
                        thread.completeExceptionally(e);
                    } else {
                        thread.complete(Thread.currentThread());
                    }
                }))
                .get(5, TimeUnit.SECONDS);
        return thread.get(10, TimeUnit.SECONDS);
    }

    private static Thread threadOf(EventLoop loop) throws Exception {
        return loop.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
    }

    private static <T> T on(EventLoop loop, Callable<CompletableFuture<T>> call) throws Exception {
        return loop.submit(call).get(5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aCommandMadeOnALoopCompletesOnThatLoop() throws Exception {
        for (io.netty.util.concurrent.EventExecutor e : loops) {
            EventLoop loop = (EventLoop) e;
            Thread done = completedOn(loop, () -> redis.ping().toCompletableFuture());
            assertThat(done)
                    .as("the loop wrote the command, read its answer and completed it: no Lettuce thread in between")
                    .isSameAs(threadOf(loop));
        }
    }

    @Test
    void eachLoopHasItsOwnConnectionAndOtherThreadsTheSharedOne() throws Exception {
        List<Long> ids = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor e : loops) {
            EventLoop loop = (EventLoop) e;
            ids.add(on(loop, () -> redis.clientId().toCompletableFuture()));
            assertThat(on(loop, () -> redis.clientId().toCompletableFuture()))
                    .as("a loop keeps its one connection")
                    .isEqualTo(ids.get(ids.size() - 1));
        }
        long shared = redis.clientId().toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(ids).as("one connection per loop").doesNotHaveDuplicates().doesNotContain(shared);
        Thread sharedDone = redis.ping()
                .toCompletableFuture()
                .thenApply(v -> Thread.currentThread())
                .get(10, TimeUnit.SECONDS);
        assertThat(sharedDone.getName())
                .as("a call from a thread of no loop completes on Lettuce's own I/O thread")
                .doesNotStartWith("test-loop");
    }

    @Test
    void waitingForAResultOnTheLoopThatReadsItFailsAtOnce() throws Exception {
        EventLoop loop = loops.next();
        Throwable joined = loop.submit(() -> {
                    try {
                        redis.ping().toCompletableFuture().join();
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        assertThat(joined)
                .as("a join on the loop would wait until the command timeout: the loop is the one to read the answer")
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event loop that reads its answer");

        Throwable derived = loop.submit(() -> {
                    try {
                        redis.get("no-such-key")
                                .thenApply(v -> v)
                                .toCompletableFuture()
                                .get(1, TimeUnit.SECONDS);
                        return null;
                    } catch (RuntimeException | ExecutionException e) {
                        return e;
                    }
                })
                .get(5, TimeUnit.SECONDS);
        assertThat(derived).as("a stage derived from it too").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closedPerLoopConnectionsHandTheLoopsBackToTheSharedConnection() throws Exception {
        EventLoop loop = loops.next();
        long own = on(loop, () -> redis.clientId().toCompletableFuture());
        perLoop.close();

        long after = on(loop, () -> redis.clientId().toCompletableFuture());
        assertThat(after)
                .as("the loop's commands go over the shared connection")
                .isNotEqualTo(own)
                .isEqualTo(redis.clientId().toCompletableFuture().get(10, TimeUnit.SECONDS));
        // A callback attached after the answer came runs on the attaching thread: a loaded machine can delay the
        // attaching past a loopback answer, so one ping in twenty completing on Lettuce's thread is the check.
        Thread loopThread = threadOf(loop);
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            threads.add(completedOn(loop, () -> redis.ping().toCompletableFuture()));
        }
        assertThat(threads)
                .as("and complete on Lettuce's thread again (not on the loop, which no longer reads them)")
                .anyMatch(t -> t != loopThread);
    }

    @Test
    void aPerLoopConnectionCutByRedisReconnectsOnItsLoop() throws Exception {
        EventLoop loop = loops.next();
        long own = on(loop, () -> redis.clientId().toCompletableFuture());

        RedisSupport.withRedis(r -> r.clientKill(KillArgs.Builder.id(own)));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Long again = null;
        while (again == null && System.nanoTime() - deadline < 0) {
            try {
                again = on(loop, () -> redis.clientId().toCompletableFuture());
            } catch (ExecutionException | CompletionException e) {
                // REJECT_COMMANDS: refused at once while the connection is away
                Thread.sleep(10);
            }
        }
        assertThat(again).as("reconnected, as a new Redis client").isNotNull().isNotEqualTo(own);
        assertThat(completedOn(loop, () -> redis.ping().toCompletableFuture()))
                .as("still on the loop")
                .isSameAs(threadOf(loop));
    }

    @Test
    void connectingOnALoopIsRefused() {
        EventLoop loop = loops.next();
        assertThatThrownBy(() -> loop.submit(() -> link.runOn(loops, LoopSupport.channelClass()))
                        .get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalStateException.class);
    }
}
