package io.relaygate.server;

import static io.relaygate.server.GatewayHarness.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.CommandObserver;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.RedisSupport;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.ConfigLoader;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.config.StoreConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a Redis store the gateway's own event loops run its Redis connections (issue 21): the admission script of a key
 * with limits, made by a request's event loop, completes on a worker thread ({@code relaygate-io-…}), not on a Lettuce
 * I/O thread that would hand the result back (before issue 21: none did); and a loop admits a key far from its limits
 * itself, its admissions reaching Redis with the loop's next call.
 */
class RedisOnEventLoopsIT {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static final int REQUESTS = 20;

    @TempDir
    Path dir;

    private final String prefix = RedisSupport.uniquePrefix();

    @BeforeAll
    static void redisIsReachable() {
        RedisSupport.requireRedis();
    }

    @AfterEach
    void deleteOwnKeys() {
        RedisSupport.deleteKeys(prefix);
    }

    @Test
    void aRequestsScriptsCompleteOnTheWorkerThatMadeThem() throws Exception {
        GatewayConfig config = config();
        Map<String, LongAdder> scriptsByThread = new ConcurrentHashMap<>();
        try (MockUpstream mock = MockUpstream.start(MockOptions.defaults());
                Store store = StoreFactory.open(config.store(), Map.of())) {
            String secret = keyAndAccount(store, mock, "loops", TestKeyRules.everyLimitFarAbove(4, 100_000L))
                    .secret();
            try (GatewayServer gw = GatewayServer.builder(config, store).start()) {
                // after the server's own (metrics): this one is told where each script's answer completed
                store.observeCommands(new CommandObserver() {
                    @Override
                    public void succeeded(String command, long nanos) {
                        if (command.equals("EVALSHA") || command.equals("EVAL")) {
                            String thread = Thread.currentThread().getName();
                            String group = thread.startsWith("relaygate-io") ? "relaygate-io" : thread;
                            scriptsByThread
                                    .computeIfAbsent(group, t -> new LongAdder())
                                    .increment();
                        }
                    }

                    @Override
                    public void failed(String command) {}
                });
                for (int i = 0; i < REQUESTS; i++) {
                    HttpResponse<byte[]> r = post(gw, secret);
                    assertThat(r.statusCode())
                            .as("request %d: %s", i, new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
                            .isEqualTo(200);
                }
            }
        }

        LongAdder onWorkers = scriptsByThread.get("relaygate-io");
        // Each request's admit.lua is made by its worker. Its spend.lua is too, unless the usage recorder is writing a
        // backlog at that moment (then the spend waits for the recorder's thread), and the recorder's batches are its
        // own: so at least one script a request, and on a Lettuce thread none of the admissions.
        assertThat(onWorkers == null ? 0 : onWorkers.sum())
                .as("each request's admission completed on the worker that made it (%s)", scriptsByThread)
                .isGreaterThanOrEqualTo(REQUESTS);
    }

    @Test
    void aKeyFarFromItsLimitsIsAdmittedOnItsLoopAndRedisStillCountsEveryRequest() throws Exception {
        GatewayConfig config = config();
        double admittedHere;
        double refusedLate;
        String keyId;
        try (MockUpstream mock = MockUpstream.start(MockOptions.defaults());
                Store store = StoreFactory.open(config.store(), Map.of())) {
            // concurrency and requests far above what is sent, and both at least 64: a loop may admit them itself
            io.relaygate.accounts.CreatedKey created =
                    keyAndAccount(store, mock, "far", TestKeyRules.everyLimitFarAbove(1_000, 100_000L));
            keyId = created.key().id();
            try (GatewayServer gw = GatewayServer.builder(config, store).start()) {
                for (int i = 0; i < REQUESTS; i++) {
                    // one keep-alive connection: one event loop, whose view of the key the answers keep fresh
                    assertThat(post(gw, created.secret()).statusCode()).isEqualTo(200);
                }
                HttpResponse<String> metrics = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                Scrape scrape = new Scrape(metrics.body());
                admittedHere = scrape.sum("relaygate_admissions_local_total", "outcome", "admitted");
                refusedLate = scrape.sum("relaygate_admissions_local_total", "outcome", "refused_late");
            }
        }
        assertThat(admittedHere)
                .as("requests after the first, close together, go on without waiting for Redis")
                .isBetween(1.0, REQUESTS - 1.0);
        assertThat(refusedLate).isZero();
        // the gateway's stop sent what its loops still held: Redis has every request and no lease left
        String tag = prefix + "{k:" + keyId + "}:";
        long counted = RedisSupport.withRedis(redis -> redis.keys(tag + "rw:*").stream()
                .mapToLong(k -> Long.parseLong(redis.get(k)))
                .sum());
        assertThat(counted).isEqualTo(REQUESTS);
        long leases = RedisSupport.withRedis(redis -> redis.zcount(
                tag + "lease",
                io.lettuce.core.Range.from(
                        io.lettuce.core.Range.Boundary.excluding(0), io.lettuce.core.Range.Boundary.unbounded())));
        assertThat(leases).isZero();
    }

    /** A gateway on the real Redis under this test's prefix, on a free port. */
    private GatewayConfig config() {
        GatewayConfig base = ConfigLoader.load(null, Map.of());
        return base.withServer(base.server().withPort(0))
                .withStore(new StoreConfig(StoreConfig.REDIS, dir.resolve("data"), RedisSupport.url(), prefix));
    }

    /** The mock as the store's one account, and a key named {@code name} under {@code rules}. */
    private static io.relaygate.accounts.CreatedKey keyAndAccount(
            Store store, MockUpstream mock, String name, KeyRules rules) {
        store.accounts()
                .create(TestAccounts.anthropic("main", mock.baseUrl(), GatewayHarness.UPSTREAM_KEY))
                .toCompletableFuture()
                .join();
        return new ApiKeyService(store.keys())
                .create(name, rules)
                .toCompletableFuture()
                .join();
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
}
