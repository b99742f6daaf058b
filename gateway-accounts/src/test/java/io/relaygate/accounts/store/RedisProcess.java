package io.relaygate.accounts.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own on a free loopback port, for tests that stop and restart Redis (the shared server at
 * REDIS_URL is never stopped). Its data lives in the test's directory so a {@link #shutdownSavingData()} followed by
 * {@link #start()} brings back what was written before, as a restarted production Redis with persistence would.
 */
public final class RedisProcess implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    private RedisProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server on a free port with its data and log under {@code dir}. */
    public static RedisProcess start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        RedisProcess redis = new RedisProcess(dir, RedisServers.freePort());
        redis.start();
        return redis;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts (or starts again) the server on its port and waits until it answers PING. */
    public void start() throws IOException, InterruptedException {
        Path log = dir.resolve("redis.log");
        process = new ProcessBuilder(
                        RedisServers.redisServer(),
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--dir",
                        dir.toString(),
                        "--dbfilename",
                        "dump.rdb",
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!answers()) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new AssertionError("redis-server on port " + port + " did not start (log: " + log + ")");
            }
            Thread.sleep(50);
        }
    }

    /** SHUTDOWN SAVE: Redis writes its data to disk and exits, so the restarted server has the earlier counters. */
    public void shutdownSavingData() throws InterruptedException {
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().shutdown(true);
        } catch (RuntimeException expected) {
            // the connection drops as the server exits
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        assertThat(process.waitFor(10, TimeUnit.SECONDS))
                .as("redis-server exits")
                .isTrue();
    }

    /** SIGKILL: the server is gone at once, as a crashed one is (nothing saved). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }

    public boolean answers() {
        RedisClient client = RedisClient.create(url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return "PONG".equals(c.sync().ping());
        } catch (RuntimeException e) {
            return false;
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
