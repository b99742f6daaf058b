package io.relaygate.accounts.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.Store;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis of the test's own goes away for a few seconds and comes back on the same port: the same store (no reopen)
 * uses it again, soon. The cap itself is pinned by {@code RedisLinkTest}; after a short outage an uncapped back-off
 * is not yet long enough to fail this bound reliably, so this test shows the end-to-end recovery and logs its time.
 */
class RedisReconnectTest {

    private static final Logger logger = LoggerFactory.getLogger(RedisReconnectTest.class);

    /** Long enough for an uncapped exponential back-off to be waiting seconds between attempts. */
    private static final Duration AWAY = Duration.ofSeconds(4);

    /** The cap is 500 ms; one missed attempt plus a connect on a loaded machine stay under this. */
    private static final Duration BACK_WITHIN = Duration.ofMillis(2_000);

    @TempDir
    Path dir;

    private RedisProcess redis;

    @AfterEach
    void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aRedisThatCameBackIsUsedAgainWithinTheCappedBackOff() throws Exception {
        redis = RedisProcess.start(dir.resolve("redis"));
        try (Store store =
                StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dir, redis.url(), "reconnect:"), Map.of())) {
            cameBackWithinTheCappedBackOff(store);
        }
    }

    /**
     * The same in the gateway's per-loop mode ({@link Store#runOn}): the connection of the loop that calls, and that of
     * the other loop, each reconnecting by itself.
     */
    @Test
    void aRedisThatCameBackIsUsedAgainOnEachLoopWithinTheCappedBackOff() throws Exception {
        redis = RedisProcess.start(dir.resolve("redis"));
        io.netty.channel.EventLoopGroup loops = LoopSupport.loops(2, "reconnect-loop");
        try {
            Store opened =
                    StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dir, redis.url(), "reconnect:"), Map.of());
            AutoCloseable perLoop = opened.runOn(loops, LoopSupport.channelClass());
            java.util.Iterator<io.netty.util.concurrent.EventExecutor> each = loops.iterator();
            io.netty.channel.EventLoop one = (io.netty.channel.EventLoop) each.next();
            io.netty.channel.EventLoop two = (io.netty.channel.EventLoop) each.next();
            try (Store store = LoopSupport.onLoop(opened, perLoop, one)) {
                Store onTwo = LoopSupport.onLoop(opened, () -> {}, two);
                assertThat(works(onTwo)).isTrue();
                cameBackWithinTheCappedBackOff(store);
                RedisServers.awaitTrue(() -> works(onTwo), "the other loop's connection is back too");
            }
        } finally {
            LoopSupport.stop(loops);
        }
    }

    private void cameBackWithinTheCappedBackOff(Store store) throws Exception {
        assertThat(works(store)).isTrue();

        redis.kill();
        RedisServers.awaitTrue(() -> !works(store), "the store notices Redis is gone");
        Thread.sleep(AWAY.toMillis());
        redis.start();
        long back = System.nanoTime();
        long deadline = back + TimeUnit.SECONDS.toNanos(15);
        while (!works(store) && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
        logger.info("Redis answered again; the store used it {} ms later", tookMillis);

        assertThat(works(store)).as("the store works again").isTrue();
        assertThat(tookMillis)
                .as("used again within the capped back-off (%s), not the seconds an uncapped one waits", BACK_WITHIN)
                .isLessThan(BACK_WITHIN.toMillis());
    }

    private static boolean works(Store store) {
        try {
            store.keys().list().toCompletableFuture().get(1, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
