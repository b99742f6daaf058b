package io.relaygate.server;

import static io.relaygate.server.Deployment.HTTP;
import static io.relaygate.server.Deployment.jsonRequest;
import static io.relaygate.server.Deployment.streamRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.CreatedKey;
import io.relaygate.accounts.state.UsageScope;
import io.relaygate.core.ApiKey;
import io.relaygate.core.KeyRules;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The team deployment as deploy/ describes it ({@link Deployment}: real nginx, two gateway processes, one Redis, two
 * accounts on the mock): what the instances share, SSE through nginx, the client's address, and a graceful stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployIT {

    private static Deployment deployment;
    private static String key;
    private static String singleKey;

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.start(2);
        CreatedKey warm = deployment.key("deploy", KeyRules.NONE);
        key = warm.secret();
        singleKey = deployment.key("deploy-single", concurrency(1)).secret();
        // a first request through each fresh process, so the lease check below does not wait on a cold JIT
        for (int i = 0; i < 2; i++) {
            for (int n = 0; n < 3; n++) {
                HTTP.send(jsonRequest(deployment.gatewayUrl(i), key), HttpResponse.BodyHandlers.discarding());
            }
        }
        // Usage is written in batches: the warm-up's must be in before a test counts the accounts' usage.
        Deployment.awaitTrue(
                () -> deployment.recordedRequests(warm.key()) == 6,
                Duration.ofSeconds(20),
                "the warm-up's usage is recorded");
    }

    @AfterAll
    static void stop() throws Exception {
        if (deployment != null) {
            deployment.close();
        }
    }

    @Test
    @Order(1)
    void throughNginxLimitsAreSharedStreamsAreUnbufferedAndTheClientIsNamed() throws Exception {
        long start = System.nanoTime();
        AtomicReference<Long> firstEventNanos = new AtomicReference<>();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HTTP.sendAsync(
                streamRequest(deployment.nginxUrl(), singleKey, 20, 300), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> open = stream.get(20, TimeUnit.SECONDS);
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
                    HTTP.send(jsonRequest(deployment.nginxUrl(), singleKey), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode())
                    .as("the lease is shared by both instances")
                    .isEqualTo(429);
        }
        assertThat(reading).as("the stream was still open during those checks").isNotDone();
        reading.get(30, TimeUnit.SECONDS);
        long end = System.nanoTime();
        assertThat(String.join("\n", lines)).contains("message_stop");
        assertThat(TimeUnit.NANOSECONDS.toMillis(end - firstEventNanos.get()))
                .as("the first event came long before the last (20 events 300 ms apart): nginx did not buffer")
                .isGreaterThan(4000);
        assertThat(TimeUnit.NANOSECONDS.toMillis(end - start)).isGreaterThan(5000);
        HttpResponse<String> after =
                HTTP.send(jsonRequest(deployment.nginxUrl(), singleKey), HttpResponse.BodyHandlers.ofString());
        assertThat(after.statusCode()).as("the lease came back").isEqualTo(200);

        // A client at 127.0.0.2 (nginx itself talks to the gateways from 127.0.0.1, the trusted proxy).
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
            s.connect(new InetSocketAddress("127.0.0.1", deployment.nginxPort()), 5000);
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
        assertThat(deployment.logs("security.log"))
                .as("the security log names the client, not nginx")
                .contains("from 127.0.0.2");
    }

    @Test
    @Order(2)
    void aSessionStaysOnItsAccountOnBothInstancesAndUsageAddsUpAcrossThem() throws Exception {
        CreatedKey created = deployment.key("deploy-sticky", KeyRules.NONE);
        ApiKey other = created.key();
        String secret = created.secret();
        List<String> accounts = deployment.accountIds();
        long[] before = accounts.stream()
                .mapToLong(a -> deployment.recordedRequests(UsageScope.ACCOUNT, a))
                .toArray();
        // Twelve turns of one conversation (same first message: one session), alternately straight to each instance and
        // through nginx; without sticky sessions the least-recently-used order would spread them over both accounts.
        int turns = 12;
        for (int i = 0; i < turns; i++) {
            String base =
                    switch (i % 3) {
                        case 0 -> deployment.gatewayUrl(0);
                        case 1 -> deployment.gatewayUrl(1);
                        default -> deployment.nginxUrl();
                    };
            HttpResponse<String> r = HTTP.send(
                    jsonRequest(base, secret, "sticky conversation " + other.id()),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        Deployment.awaitTrue(
                () -> deployment.recordedRequests(other) == turns,
                Duration.ofSeconds(20),
                "the usage both instances recorded for the key adds up to " + turns);
        long[] served = new long[accounts.size()];
        for (int i = 0; i < served.length; i++) {
            served[i] = deployment.recordedRequests(UsageScope.ACCOUNT, accounts.get(i)) - before[i];
        }
        assertThat(served)
                .as("every turn of the session was served by the same account, whichever instance took it")
                .containsExactlyInAnyOrder(turns, 0);
    }

    @Test
    @Order(3)
    void aStoppingInstanceDrainsItsStreamWhileTheOtherServesAndNoAccountIsTakenOut() throws Exception {
        // A stream straight on instance 0, then SIGTERM to it while 16 clients keep sending through nginx.
        CompletableFuture<HttpResponse<String>> stream = HTTP.sendAsync(
                streamRequest(deployment.gatewayUrl(0), key, 10, 300), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(600);
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        long loadUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            clients.add(CompletableFuture.runAsync(() -> {
                for (int n = 0; n < 2000 && System.nanoTime() < loadUntil; n++) {
                    try {
                        HttpResponse<String> r = HTTP.send(
                                jsonRequest(deployment.nginxUrl(), key), HttpResponse.BodyHandlers.ofString());
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
        Process stopping = deployment.gateway(0);
        stopping.destroy(); // SIGTERM
        for (CompletableFuture<Void> c : clients) {
            c.get(60, TimeUnit.SECONDS);
        }
        HttpResponse<String> drained = stream.get(30, TimeUnit.SECONDS);
        assertThat(drained.statusCode()).isEqualTo(200);
        assertThat(drained.body())
                .as("the stream in flight on the stopping instance ran to its end")
                .contains("message_stop")
                .doesNotContain("event: error");
        assertThat(stopping.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(stopping.exitValue()).as("a drained stop exits 0").isZero();
        assertThat(failures)
                .as("nginx moved every request to the instance that stays")
                .isEmpty();
        assertThat(ok.get()).isPositive();
        assertThat(deployment
                        .store()
                        .state()
                        .conditions(Instant.now())
                        .toCompletableFuture()
                        .join())
                .as("the stopping instance's own shutdown is never recorded against an account")
                .isEmpty();
        HttpResponse<String> later =
                HTTP.send(jsonRequest(deployment.nginxUrl(), key), HttpResponse.BodyHandlers.ofString());
        assertThat(later.statusCode()).isEqualTo(200);
    }

    static KeyRules concurrency(int n) {
        return new KeyRules(
                n, null, null, null, null, null, null, null, List.of(), List.of(), Set.of(), null, null, null);
    }
}
