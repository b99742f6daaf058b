package io.relaygate.accounts.store;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.relaygate.core.Ids;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The real Redis the Redis tests run against: {@code REDIS_URL}, else {@code redis://127.0.0.1:6379}. Each test run
 * uses its own key prefix and deletes only its own keys afterwards (SCAN prefix* + DEL, never FLUSH). A missing Redis
 * fails the tests, never skips them: under CI=true that is the rule, and elsewhere the Testcontainers fallback needs a
 * Docker engine this build does not wire in.
 */
public final class RedisSupport {

    static final String DEFAULT_URL = "redis://127.0.0.1:6379";

    private RedisSupport() {}

    public static String url() {
        String env = System.getenv("REDIS_URL");
        return env == null || env.isBlank() ? DEFAULT_URL : env.trim();
    }

    public static String uniquePrefix() {
        return "rgtest:" + Ids.random(12) + ":";
    }

    /** Fails with a message saying what to do when Redis is not reachable. */
    public static void requireRedis() {
        try {
            withRedis(redis -> redis.ping());
        } catch (RedisException e) {
            boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
            boolean docker = Files.exists(Path.of("/var/run/docker.sock")) || System.getenv("DOCKER_HOST") != null;
            throw new AssertionError("Redis tests need a Redis at " + url() + " (set REDIS_URL) but it is not"
                    + " reachable: " + e.getMessage()
                    + (ci
                            ? "; under CI=true a missing Redis fails the build"
                            : docker
                                    ? "; start one, e.g. docker run -p 6379:6379 redis"
                                    : "; no Docker engine either, so no Testcontainers fallback"));
        }
    }

    /** Deletes every key starting with {@code prefix}. */
    public static void deleteKeys(String prefix) {
        withRedis(redis -> {
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

    /** Every value under {@code prefix}, raw, as Redis holds it (hash fields and values). */
    public static String rawState(String prefix) {
        return withRedis(redis -> {
            StringBuilder sb = new StringBuilder();
            for (String key : redis.keys(prefix + "*")) {
                if ("string".equals(redis.type(key))) {
                    sb.append(key).append(' ').append(redis.get(key)).append('\n');
                    continue;
                }
                if (!"hash".equals(redis.type(key))) {
                    continue;
                }
                for (Map.Entry<String, String> e : redis.hgetall(key).entrySet()) {
                    sb.append(key)
                            .append(' ')
                            .append(e.getKey())
                            .append('=')
                            .append(e.getValue())
                            .append('\n');
                }
            }
            return sb.toString();
        });
    }

    public static <T> T withRedis(Function<RedisCommands<String, String>, T> action) {
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
