package io.relaygate.accounts;

import static io.relaygate.accounts.store.Futures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageCounters;
import io.relaygate.accounts.state.UsageRecord;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.core.Usage;
import io.relaygate.core.config.StoreConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
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

    private Process redis;
    private int port;

    @AfterEach
    void stopRedis() throws Exception {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void usageRecordedWhileRedisIsDownIsWrittenWhenItComesBack() throws Exception {
        port = freePort();
        startRedis();
        Instant at = Instant.parse("2026-07-01T09:00:00Z");
        try (Store store = StoreFactory.open(
                        new StoreConfig(StoreConfig.REDIS, dir, "redis://127.0.0.1:" + port, "outage:"), Map.of());
                UsageRecorder recorder = new UsageRecorder(store.state(), Duration.ofMillis(200), 1000)) {
            for (int i = 0; i < 5; i++) {
                recorder.record(record(at));
            }
            awaitTrue(() -> requests(store, at) == 5, "the first five records are written");

            shutdownSavingData();
            long started = System.nanoTime();
            for (int i = 0; i < 7; i++) {
                recorder.record(record(at));
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(elapsedMillis).as("recording never waits for the store").isLessThan(1000);
            // summed into one batch record by the recorder, which waits in memory
            awaitTrue(() -> recorder.waiting() > 0, "the seven records made during the outage wait in memory");

            startRedis();

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

    private void startRedis() throws IOException, InterruptedException {
        Path log = dir.resolve("redis.log");
        redis = new ProcessBuilder(
                        redisServer(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dir.toString(),
                        "--dbfilename",
                        "outage.rdb",
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        awaitTrue(this::redisAnswers, "redis-server on port " + port + " starts (log: " + log + ")");
    }

    private boolean redisAnswers() {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return "PONG".equals(c.sync().ping());
        } catch (RuntimeException e) {
            return false;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** SHUTDOWN SAVE: Redis writes its data to disk and exits, so the restarted server has the earlier counters. */
    private void shutdownSavingData() throws InterruptedException {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().shutdown(true);
        } catch (RuntimeException expected) {
            // the connection drops as the server exits
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        assertThat(redis.waitFor(10, TimeUnit.SECONDS)).as("redis-server exits").isTrue();
    }

    private static String redisServer() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "redis-server");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String p : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new AssertionError(
                "this test starts a redis-server of its own; install it (apt-get install redis-server)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
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
