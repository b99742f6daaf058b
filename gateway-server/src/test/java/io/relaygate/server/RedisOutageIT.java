package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.accounts.store.RedisProcess;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.config.StoreConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The gateway on a Redis of the test's own (never the system one), which is stopped for a few seconds under load and
 * started again: requests with known keys keep being served, no limit refuses them after it returns, every completed
 * request is counted once, and the log stays bounded.
 */
class RedisOutageIT {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

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
    void knownKeysAreServedThroughAnOutageAndNothingRecordedIsLost() throws Exception {
        redis = RedisProcess.start(dir.resolve("redis"));
        String prefix = "outage-it:";
        GatewayConfig base = ConfigLoader.load(null, Map.of());
        GatewayConfig config = base.withServer(base.server().withPort(0))
                .withStore(new StoreConfig(StoreConfig.REDIS, dir.resolve("data"), redis.url(), prefix));
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        try (MockUpstream mock = MockUpstream.start(MockOptions.defaults());
                Store admin = StoreFactory.open(config.store(), Map.of());
                Store store = StoreFactory.open(config.store(), Map.of())) {
            admin.accounts()
                    .create(TestAccounts.anthropic("main", mock.baseUrl(), GatewayHarness.UPSTREAM_KEY))
                    .toCompletableFuture()
                    .join();
            // limits of every kind the admission script checks, far above what the test sends
            KeyRules rules = TestKeyRules.everyLimitFarAbove(4, 100_000L);
            var created = new ApiKeyService(admin.keys())
                    .create("outage", rules)
                    .toCompletableFuture()
                    .join();
            String secret = created.secret();
            ApiKey key = created.key();
            try (GatewayServer gw = GatewayServer.builder(config, store).start()) {
                for (int i = 0; i < 3; i++) {
                    assertThat(post(gw, secret).statusCode()).as("warm-up").isEqualTo(200);
                }
                int completed = 3;
                root.addAppender(lines);
                TreeMap<String, Integer> statuses = new TreeMap<>();
                Map<String, String> bodies = new TreeMap<>();
                long started = System.nanoTime();
                boolean stopped = false;
                boolean restarted = false;
                // bounded: at most 3000 requests and 40 s; Redis goes away after 1 s and comes back 4 s later
                for (int i = 0; i < 3000; i++) {
                    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    if (!stopped && elapsedMs > 1000) {
                        redis.shutdownSavingData();
                        stopped = true;
                    } else if (stopped && !restarted && elapsedMs > 5000) {
                        redis.start();
                        restarted = true;
                    } else if (restarted && elapsedMs > 12_000 || elapsedMs > 40_000) {
                        break;
                    }
                    HttpResponse<byte[]> r = post(gw, secret);
                    String phase = !stopped ? "before" : !restarted ? "during" : "after";
                    statuses.merge(phase + " " + r.statusCode(), 1, Integer::sum);
                    if (r.statusCode() != 200) {
                        bodies.putIfAbsent(phase + " " + r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
                    }
                    if (r.statusCode() == 200) {
                        completed++;
                    }
                    Thread.sleep(5);
                }
                assertThat(restarted).as("the outage happened within the loop").isTrue();
                assertThat(statuses.keySet())
                        .as(
                                "every request served: no 503 wave while Redis is away, no limit refusal after: %s %s",
                                statuses, bodies)
                        .allMatch(s -> s.endsWith(" 200"));
                assertThat(statuses).containsKey("during 200");
                int expected = completed;
                awaitTrue(() -> requests(admin, key.id()) == expected, "usage of all " + expected + " requests");
                Thread.sleep(500);
                assertThat(requests(admin, key.id())).as("counted once").isEqualTo(expected);
            } finally {
                root.detachAppender(lines);
            }
        }
        long warnings = lines.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .count();
        assertThat(warnings)
                .as(
                        "warnings rate-limited per kind: %s",
                        lines.list.stream()
                                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                                .map(ILoggingEvent::getFormattedMessage)
                                .toList())
                .isLessThan(40);
        assertThat(lines.list.stream().filter(e -> e.getThrowableProxy() != null))
                .as("no stack traces")
                .isEmpty();
    }

    private static long requests(Store store, String keyId) {
        try {
            List<UsageRow> rows = store.state()
                    .usage(UsageScope.KEY, Period.TOTAL, Instant.now())
                    .toCompletableFuture()
                    .get(2, TimeUnit.SECONDS);
            return rows.stream()
                    .filter(r -> r.id().equals(keyId))
                    .mapToLong(r -> r.counters().requests())
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static HttpResponse<byte[]> post(GatewayServer gw, String secret) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/v1/messages"))
                .timeout(Duration.ofSeconds(20))
                .header("x-api-key", secret)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(messages("claude-sonnet-4-5", false, "hello")))
                .build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
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
