package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.CreatedKey;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.state.Period;
import io.relaygate.accounts.state.UsageRow;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.accounts.store.RedisProcess;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.StoreConfig;
import io.relaygate.server.cli.CliRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The team deployment as deploy/ describes it, for the end-to-end deployment tests: real nginx with deploy/nginx.conf's
 * settings in front of two gateway processes ({@code java -jar target/relaygate.jar serve}) on a redis-server of the
 * test's own (so a test may stop it), the project's mock upstream behind them, all on loopback.
 */
final class Deployment implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Path work;
    private final RedisProcess redis;
    private final MockUpstream mock;
    private final Store store;
    private final String secretKey;
    /** The key-hash pepper both gateways and the test's own store share, as RELAYGATE_SECRET_KEY. */
    private final String pepper;

    private final String prefix = CliRedis.uniquePrefix();
    private final List<String> accountIds = new ArrayList<>();
    private final int[] ports = new int[2];
    private final Process[] gateways = new Process[2];
    private Process nginx;
    private int nginxPort;

    private Deployment(Path work) throws Exception {
        this.work = work;
        this.redis = RedisProcess.start(work.resolve("redis"));
        this.mock = MockUpstream.start(MockOptions.defaults());
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        this.secretKey = Base64.getEncoder().encodeToString(raw);
        new SecureRandom().nextBytes(raw);
        this.pepper = Base64.getEncoder().encodeToString(raw);
        this.store = StoreFactory.open(
                new StoreConfig(StoreConfig.REDIS, work, redis.url(), prefix),
                Map.of("RELAYGATE_SECRET_KEY", secretKey, "RELAYGATE_KEY_PEPPER", pepper));
    }

    /** Starts Redis, the mock with {@code accounts} accounts on it, both gateways and nginx. */
    static Deployment start(int accounts) throws Exception {
        Deployment d = new Deployment(Files.createTempDirectory("relaygate-deploy"));
        try {
            for (int i = 0; i < accounts; i++) {
                String id = "acc-deploy-" + i;
                d.store
                        .accounts()
                        .create(TestAccounts.of(
                                id,
                                "deploy-mock-" + i,
                                AccountKind.ANTHROPIC_API,
                                d.mock.baseUrl(),
                                GatewayHarness.UPSTREAM_KEY,
                                Account.DEFAULT_PRIORITY,
                                List.of()))
                        .toCompletableFuture()
                        .join();
                d.accountIds.add(id);
            }
            for (int i = 0; i < 2; i++) {
                d.ports[i] = freePort();
                d.startGateway(i);
            }
            d.nginxPort = freePort();
            d.nginx = Nginx.start(d.work.resolve("nginx"), d.nginxPort, d.ports[0], d.ports[1]);
            awaitHttp(d.nginxUrl() + "/healthz", d.nginx);
            return d;
        } catch (Exception | AssertionError e) {
            d.close();
            throw e;
        }
    }

    /** A new key; its secret is registered with the suite's secret scan. */
    CreatedKey key(String name, KeyRules rules) {
        CreatedKey created = new ApiKeyService(store.keys())
                .create(name, rules)
                .toCompletableFuture()
                .join();
        SuiteSecretScan.secret(created.secret());
        return created;
    }

    Store store() {
        return store;
    }

    RedisProcess redis() {
        return redis;
    }

    List<String> accountIds() {
        return accountIds;
    }

    String nginxUrl() {
        return "http://127.0.0.1:" + nginxPort;
    }

    int nginxPort() {
        return nginxPort;
    }

    String gatewayUrl(int i) {
        return "http://127.0.0.1:" + ports[i];
    }

    Process gateway(int i) {
        return gateways[i];
    }

    /** Starts gateway {@code i} (again) on its port and data directory, and waits until it is live. */
    void startGateway(int i) throws Exception {
        Path dir = work.resolve("gw" + i);
        Files.createDirectories(dir);
        Path jar = Path.of("target", "relaygate.jar").toAbsolutePath();
        assertThat(jar)
                .as("the jar of this build (package runs before the integration tests)")
                .exists();
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString(),
                "serve");
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RELAYGATE_"));
        env.putAll(new HashMap<>(Map.of(
                "REDIS_URL",
                redis.url(),
                "RELAYGATE_REDIS_PREFIX",
                prefix,
                "RELAYGATE_SECRET_KEY",
                secretKey,
                "RELAYGATE_KEY_PEPPER",
                pepper,
                "RELAYGATE_HOST",
                "127.0.0.1",
                "RELAYGATE_PORT",
                String.valueOf(ports[i]),
                "RELAYGATE_DATA_DIR",
                dir.toString(),
                "RELAYGATE_LOG_DIR",
                dir.resolve("logs").toString(),
                "RELAYGATE_TRUSTED_PROXIES",
                "127.0.0.1",
                "RELAYGATE_DRAIN_TIMEOUT",
                "20s")));
        pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("stdout.log").toFile()));
        gateways[i] = pb.start();
        awaitHttp(gatewayUrl(i) + "/healthz", gateways[i]);
    }

    /** The text of one log file of both gateways ({@code relaygate.log}, {@code security.log}, ...). */
    String logs(String name) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            Path f = work.resolve("gw" + i)
                    .resolve(name.equals("stdout.log") ? "" : "logs")
                    .resolve(name);
            if (Files.exists(f)) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }

    /** Requests recorded for a key or an account so far ({@code -1} while the store does not answer). */
    long recordedRequests(UsageScope scope, String id) {
        try {
            List<UsageRow> rows = store.state()
                    .usage(scope, Period.TOTAL, Instant.now())
                    .toCompletableFuture()
                    .get(2, TimeUnit.SECONDS);
            return rows.stream()
                    .filter(r -> r.id().equals(id))
                    .mapToLong(r -> r.counters().requests())
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }

    long recordedRequests(ApiKey key) {
        return recordedRequests(UsageScope.KEY, key.id());
    }

    static HttpRequest streamRequest(String base, String secret, int events, int intervalMillis) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
                .timeout(Duration.ofSeconds(60))
                .header("x-api-key", secret)
                .header("content-type", "application/json")
                .header("x-mock-events", String.valueOf(events))
                .header("x-mock-event-interval-ms", String.valueOf(intervalMillis))
                .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.messages("claude-sonnet-4-5", true, "hi")))
                .build();
    }

    static HttpRequest jsonRequest(String base, String secret) {
        return jsonRequest(base, secret, "hi");
    }

    /** A JSON request whose first user message is {@code text}: the session it belongs to when nothing else says. */
    static HttpRequest jsonRequest(String base, String secret, String text) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", secret)
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.messages("claude-sonnet-4-5", false, text)))
                .build();
    }

    static void awaitTrue(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting until " + what);
    }

    static void awaitHttp(String url, Process owner) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!owner.isAlive()) {
                throw new AssertionError("process for " + url + " exited with " + owner.exitValue());
            }
            try {
                HttpResponse<Void> r = HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError(url + " did not answer within 60 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        Nginx.stop(nginx);
        for (Process p : new Process[] {gateways[0], gateways[1]}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        store.close();
        mock.close();
        redis.close();
    }
}
