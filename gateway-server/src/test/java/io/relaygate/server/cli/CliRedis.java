package io.relaygate.server.cli;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.relaygate.core.Ids;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The real Redis of the CLI's Redis tests: {@code REDIS_URL}, else {@code redis://127.0.0.1:6379}; a unique key prefix
 * per test, own keys deleted afterwards (SCAN + DEL, never FLUSH). A missing Redis fails, never skips (CI=true makes
 * that the rule; without a Docker engine there is no Testcontainers fallback either).
 */
public final class CliRedis {

    private CliRedis() {}

    public static String url() {
        String env = System.getenv("REDIS_URL");
        return env == null || env.isBlank() ? "redis://127.0.0.1:6379" : env.trim();
    }

    public static String uniquePrefix() {
        return "rgclitest:" + Ids.random(12) + ":";
    }

    public static void requireRedis() {
        try {
            with(RedisCommands::ping);
        } catch (RedisException e) {
            throw new AssertionError("CLI Redis tests need a Redis at " + url() + " (set REDIS_URL) but it is not"
                    + " reachable: " + e.getMessage()
                    + ("true".equalsIgnoreCase(System.getenv("CI"))
                            ? "; under CI=true a missing Redis fails the build"
                            : "; start one or set REDIS_URL"));
        }
    }

    public static void deleteKeys(String prefix) {
        with(redis -> {
            List<String> found = new ArrayList<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(
                        cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
                found.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
            if (!found.isEmpty()) {
                redis.del(found.toArray(String[]::new));
            }
            return found.size();
        });
    }

    public static <T> T with(Function<RedisCommands<String, String>, T> action) {
        RedisURI uri = RedisURI.create(url());
        uri.setTimeout(Duration.ofSeconds(5));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return action.apply(c.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
