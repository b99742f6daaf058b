package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.store.StoreFactory;
import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import io.relaygate.core.Account;
import io.relaygate.core.AccountKind;
import io.relaygate.core.KeyRules;
import io.relaygate.core.config.StoreConfig;
import io.relaygate.server.cli.CliRedis;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The team deployment as deploy/ describes it: real nginx with deploy/nginx.conf's settings in front of two gateway
 * processes ({@code java -jar target/relaygate.jar serve}) on one Redis, the project's mock upstream behind them, all on
 * loopback. nginx comes from Debian's packages (`.ci/run` installs it; the test installs it too when it can).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployIT {

    private static final String PREFIX = CliRedis.uniquePrefix();
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static Path work;
    private static MockUpstream mock;
    private static Store store;
    private static String secretKey;
    private static String key;
    private static String singleKey;
    private static final int[] ports = new int[2];
    private static final Process[] gateways = new Process[2];
    private static Process nginx;
    private static int nginxPort;

    @BeforeAll
    static void start() throws Exception {
        CliRedis.requireRedis();
        work = Files.createTempDirectory("relaygate-deploy");
        mock = MockUpstream.start(MockOptions.defaults());
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        secretKey = Base64.getEncoder().encodeToString(raw);
        store = StoreFactory.open(
                new StoreConfig(StoreConfig.REDIS, work, CliRedis.url(), PREFIX),
                Map.of("RELAYGATE_SECRET_KEY", secretKey));
        store.accounts()
                .create(new Account(
                        "acc-deploy",
                        "deploy-mock",
                        AccountKind.ANTHROPIC_API,
                        mock.baseUrl(),
                        GatewayHarness.UPSTREAM_KEY,
                        null,
                        Account.DEFAULT_PRIORITY,
                        true,
                        null,
                        List.of(),
                        Map.of(),
                        Instant.EPOCH))
                .toCompletableFuture()
                .join();
        ApiKeyService keys = new ApiKeyService(store.keys());
        key = keys.create("deploy", KeyRules.NONE).toCompletableFuture().join().secret();
        singleKey = keys.create("deploy-single", concurrency(1))
                .toCompletableFuture()
                .join()
                .secret();
        SuiteSecretScan.secret(key);
        SuiteSecretScan.secret(singleKey);
        for (int i = 0; i < 2; i++) {
            ports[i] = freePort();
            gateways[i] = gateway(i);
        }
        for (int i = 0; i < 2; i++) {
            awaitHttp("http://127.0.0.1:" + ports[i] + "/healthz", gateways[i]);
        }
        nginxPort = freePort();
        nginx = Nginx.start(work.resolve("nginx"), nginxPort, ports[0], ports[1]);
        awaitHttp("http://127.0.0.1:" + nginxPort + "/healthz", nginx);
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : new Process[] {nginx, gateways[0], gateways[1]}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (store != null) {
            store.close();
        }
        if (mock != null) {
            mock.close();
        }
        CliRedis.deleteKeys(PREFIX);
    }

    @Test
    @Order(1)
    void throughNginxLimitsAreSharedStreamsAreUnbufferedAndTheClientIsNamed() throws Exception {
        long start = System.nanoTime();
        AtomicReference<Long> firstEventNanos = new AtomicReference<>();
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> stream =
                http.sendAsync(streamRequest(nginxUrl(), singleKey, 8, 300), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> open = stream.get(20, TimeUnit.SECONDS);
        assertThat(open.statusCode()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> reading =
                CompletableFuture.runAsync(() -> open.body().forEach(line -> {
                    if (line.startsWith("event:")) {
                        firstEventNanos.compareAndSet(null, System.nanoTime());
                    }
                    synchronized (lines) {
                        lines.add(line);
                    }
                }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (firstEventNanos.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(firstEventNanos.get()).as("an event arrived through nginx").isNotNull();

        // While the concurrency-1 key's stream runs on one instance, nginx (least_conn) sends the others elsewhere.
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r =
                    http.send(jsonRequest(nginxUrl(), singleKey, List.of()), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode())
                    .as("the lease is shared by both instances")
                    .isEqualTo(429);
        }
        reading.get(30, TimeUnit.SECONDS);
        long end = System.nanoTime();
        assertThat(String.join("\n", lines)).contains("message_stop");
        assertThat(TimeUnit.NANOSECONDS.toMillis(end - firstEventNanos.get()))
                .as("the first event came long before the last (8 events 300 ms apart): nginx did not buffer")
                .isGreaterThan(1500);
        assertThat(TimeUnit.NANOSECONDS.toMillis(end - start)).isGreaterThan(2000);
        HttpResponse<String> after =
                http.send(jsonRequest(nginxUrl(), singleKey, List.of()), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).as("the lease came back").isEqualTo(200);

        // A client at 127.0.0.2 (nginx itself talks to the gateways from 127.0.0.1, the trusted proxy).
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            s.connect(new InetSocketAddress("127.0.0.1", nginxPort), 5000);
            s.setSoTimeout(10_000);
            String body = GatewayHarness.messages("claude-sonnet-4-5", false, "hi");
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n"
                            + "x-api-key: rg_deployDoesNotExist00000000000000\r\nConnection: close\r\n"
                            + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 401");
        }
        String security = readLogs("security.log");
        assertThat(security).as("the security log names the client, not nginx").contains("from 127.0.0.2");
    }

    @Test
    @Order(2)
    void aStoppingInstanceDrainsItsStreamWhileTheOtherServesAndNoAccountIsTakenOut() throws Exception {
        // A stream straight on instance 0, then SIGTERM to it while 16 clients keep sending through nginx.
        CompletableFuture<HttpResponse<String>> stream = http.sendAsync(
                streamRequest("http://127.0.0.1:" + ports[0], key, 10, 300), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(600);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long loadUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            clients.add(CompletableFuture.runAsync(() -> {
                for (int n = 0; n < 2000 && System.nanoTime() < loadUntil; n++) {
                    try {
                        HttpResponse<String> r = http.send(
                                jsonRequest(nginxUrl(), key, List.of()), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(r.statusCode() + " " + r.body());
                        }
                    } catch (IOException | InterruptedException e) {
                        failures.add(e.toString());
                    }
                }
            }));
        }
        Thread.sleep(500);
        gateways[0].destroy(); // SIGTERM
        for (CompletableFuture<Void> c : clients) {
            c.get(60, TimeUnit.SECONDS);
        }
        HttpResponse<String> drained = stream.get(30, TimeUnit.SECONDS);
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(drained.body())
                .as("the stream in flight on the stopping instance ran to its end")
                .contains("message_stop")
                .doesNotContain("event: error");
        assertThat(gateways[0].waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gateways[0].exitValue()).as("a drained stop exits 0").isZero();
        assertThat(failures)
                .as("nginx moved every request to the instance that stays")
                .isEmpty();
        assertThat(ok.get()).isPositive();
        assertThat(store.state().conditions(Instant.now()).toCompletableFuture().join())
                .as("the stopping instance's own shutdown is never recorded against the account")
                .isEmpty();
        HttpResponse<String> later =
                http.send(jsonRequest(nginxUrl(), key, List.of()), HttpResponse.BodyHandlers.ofString());
        assertThat(later.statusCode()).isEqualTo(200);
    }

    // ---- helpers ----

    private static KeyRules concurrency(int n) {
        return new KeyRules(
                n, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, null, null);
    }

    private static String nginxUrl() {
        return "http://127.0.0.1:" + nginxPort;
    }

    private static HttpRequest streamRequest(String base, String secret, int events, int intervalMillis) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
                .timeout(Duration.ofSeconds(60))
                .header("x-api-key", secret)
                .header("content-type", "application/json")
                .header("x-mock-events", String.valueOf(events))
                .header("x-mock-event-interval-ms", String.valueOf(intervalMillis))
                .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.messages("claude-sonnet-4-5", true, "hi")))
                .build();
    }

    private static HttpRequest jsonRequest(String base, String secret, List<String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("x-api-key", secret)
                .header("content-type", "application/json");
        for (int i = 0; i < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        return b.POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.messages("claude-sonnet-4-5", false, "hi")))
                .build();
    }

    private static Process gateway(int i) throws IOException {
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
                CliRedis.url(),
                "RELAYGATE_REDIS_PREFIX",
                PREFIX,
                "RELAYGATE_SECRET_KEY",
                secretKey,
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
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile());
        return pb.start();
    }

    private static String readLogs(String name) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2; i++) {
            Path f = work.resolve("gw" + i).resolve("logs").resolve(name);
            if (Files.exists(f)) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void awaitHttp(String url, Process owner) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!owner.isAlive()) {
                throw new AssertionError("process for " + url + " exited with " + owner.exitValue());
            }
            try {
                HttpResponse<Void> r = http.send(
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

    /** Real nginx from Debian's packages, configured with deploy/nginx.conf's upstream and location settings. */
    static final class Nginx {

        static Process start(Path dir, int port, int first, int second) throws Exception {
            Path binary = binary();
            Files.createDirectories(dir.resolve("tmp"));
            String deploy = Files.readString(deployConf())
                    .replace("server 127.0.0.1:3001 ", "server 127.0.0.1:" + first + " ")
                    .replace("server 127.0.0.1:3002 ", "server 127.0.0.1:" + second + " ")
                    .replace("listen 80;", "listen 127.0.0.1:" + port + ";");
            assertThat(deploy)
                    .as("deploy/nginx.conf still has the lines this test fills in")
                    .contains(":" + first);
            String conf = "worker_processes 1;\ndaemon off;\npid " + dir.resolve("nginx.pid") + ";\n"
                    + "error_log " + dir.resolve("error.log") + " warn;\n"
                    + "events { worker_connections 1024; }\n"
                    + "http {\n  access_log " + dir.resolve("access.log") + ";\n"
                    + "  client_body_temp_path " + dir.resolve("tmp/body") + ";\n"
                    + "  proxy_temp_path " + dir.resolve("tmp/proxy") + ";\n"
                    + "  fastcgi_temp_path " + dir.resolve("tmp/fastcgi") + ";\n"
                    + "  uwsgi_temp_path " + dir.resolve("tmp/uwsgi") + ";\n"
                    + "  scgi_temp_path " + dir.resolve("tmp/scgi") + ";\n"
                    + deploy + "\n}\n";
            Path file = dir.resolve("nginx.conf");
            Files.writeString(file, conf);
            ProcessBuilder pb = new ProcessBuilder(
                    binary.toString(),
                    "-p",
                    dir.toString(),
                    "-c",
                    file.toString(),
                    "-e",
                    dir.resolve("error.log").toString());
            pb.redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile());
            return pb.start();
        }

        private static Path deployConf() {
            for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
                Path f = d.resolve("deploy").resolve("nginx.conf");
                if (Files.isRegularFile(f)) {
                    return f;
                }
            }
            throw new AssertionError(
                    "deploy/nginx.conf not found above " + Path.of("").toAbsolutePath());
        }

        /** nginx on this machine; installed from Debian's packages when missing and this process may (root). */
        private static Path binary() throws Exception {
            for (String candidate : new String[] {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
                if (Files.isExecutable(Path.of(candidate))) {
                    return Path.of(candidate);
                }
            }
            Process install = new ProcessBuilder(
                            "sh",
                            "-c",
                            "(apt-get install -y -qq nginx-light || (apt-get update -qq && apt-get install -y -qq"
                                    + " nginx-light)) >/dev/null 2>&1")
                    .inheritIO()
                    .start();
            if (!install.waitFor(5, TimeUnit.MINUTES)) {
                install.destroyForcibly();
            }
            if (Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
                return Path.of("/usr/sbin/nginx");
            }
            throw new AssertionError("DeployIT needs nginx (Debian package nginx-light): `.ci/run` installs it;"
                    + " install it with apt-get install nginx-light");
        }
    }
}
