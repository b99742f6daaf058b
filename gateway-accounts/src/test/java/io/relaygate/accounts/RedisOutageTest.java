package io.relaygate.accounts;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.accounts.store.RedisProcess;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.Usage;
import io.relaygate.core.config.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis of the test's own, on another port, stopped and started again while usage is being recorded: nothing is
 * lost, and the gateway's writes never wait for it.
 */
class RedisOutageTest {

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
    void usageRecordedWhileRedisIsDownIsWrittenWhenItComesBack() throws Exception {
        redis = RedisProcess.start(dir.resolve("redis"));
        Instant at = Instant.parse("2026-07-01T09:00:00Z");
        try (Store store =
                        StoreFactory.open(new StoreConfig(StoreConfig.REDIS, dir, redis.url(), "outage:"), Map.of());
                UsageRecorder recorder = new UsageRecorder(store.state(), Duration.ofMillis(200), 1000)) {
            for (int i = 0; i < 5; i++) {
                recorder.record(record(at));
            }
            awaitTrue(() -> requests(store, at) == 5, "the first five records are written");

            redis.shutdownSavingData();
            long started = System.nanoTime();
            for (int i = 0; i < 7; i++) {
                recorder.record(record(at));
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(elapsedMillis).as("recording never waits for the store").isLessThan(1000);
            // summed into one batch record by the recorder, which waits in memory
            awaitTrue(() -> recorder.waiting() > 0, "the seven records made during the outage wait in memory");

            redis.start();

            awaitTrue(() -> recorder.waiting() == 0 && requests(store, at) == 12, "all twelve are counted");
            UsageRow row =
                    await(store.state().usage(UsageScope.KEY, Period.DAY, at)).get(0);
            assertThat(row.counters()).isEqualTo(new UsageCounters(12, 0, 120, 240, 0, 0, 12_000));
        }
    }

    private static UsageRecord record(Instant at) {
        return new UsageRecord(
                "key-1", "acct-1", "claude-x", UsageCounters.of(new Usage(10, 20, 0, 0), false, 1000), at, null);
    }

    private static long requests(Store store, Instant at) {
        try {
            List<UsageRow> rows = store.state()
                    .usage(UsageScope.KEY, Period.TOTAL, at)
                    .toCompletableFuture()
                    .get(2, TimeUnit.SECONDS);
            return rows.isEmpty() ? 0 : rows.get(0).counters().requests();
        } catch (Exception e) {
            return -1;
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting until " + what);
    }
}
