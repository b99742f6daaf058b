package io.relaygate.server;

import static io.relaygate.server.Deployment.HTTP;
import static io.relaygate.server.Deployment.jsonRequest;
import static io.relaygate.server.Deployment.streamRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.accounts.CreatedKey;
import io.relaygate.core.KeyRules;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Faults of the team deployment under load through real nginx ({@link Deployment}): Redis stopped for 10 s and
 * restarted, and an instance killed with SIGKILL. Load is bounded (16 clients, a pause between requests, seconds).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeployFaultsIT {

    private static final int CLIENTS = 16;

    private static Deployment deployment;

    @BeforeAll
    static void start() throws Exception {
        deployment = Deployment.start(1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (deployment != null) {
            deployment.close();
        }
    }

    @Test
    @Order(1)
    void aTenSecondRedisOutageUnderLoadServesKnownKeysLosesNothingAndLogsLittle() throws Exception {
        // every limit the admission script checks, far above what the test sends
        KeyRules rules = TestKeyRules.everyLimitFarAbove(64, 1_000_000L);
        CreatedKey key = deployment.key("outage", rules);
        for (int i = 0; i < 2; i++) {
            // both instances know the key before Redis goes away
            assertThat(HTTP.send(
                                    jsonRequest(deployment.gatewayUrl(i), key.secret()),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
        }
        long warningsBefore = warnings(deployment.logs("relaygate.log"));
        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Map<String, String> bodies = new ConcurrentHashMap<>();
        AtomicLong completed = new AtomicLong(2);
        AtomicReference<String> phase = new AtomicReference<>("before");
        Load load = Load.start(() -> {
            HttpResponse<String> r =
                    HTTP.send(jsonRequest(deployment.nginxUrl(), key.secret()), HttpResponse.BodyHandlers.ofString());
            String p = phase.get();
            statuses.computeIfAbsent(p + " " + r.statusCode(), s -> new AtomicInteger())
                    .incrementAndGet();
            if (r.statusCode() == 200) {
                completed.incrementAndGet();
            }
            Thread.sleep(20);
        });
        Thread.sleep(1500);
        deployment.redis().shutdownSavingData();
        phase.set("during");
        Thread.sleep(10_000);
        deployment.redis().start();
        phase.set("after");
        Thread.sleep(4000);
        List<String> failures = load.stop();

        assertThat(failures).as("no client saw an error").isEmpty();
        assertThat(new TreeMap<>(statuses).keySet())
                .as(
                        "every request served (%s): no 503 wave while Redis is away, no limit refusal after: %s",
                        statuses, bodies)
                .allMatch(s -> s.endsWith(" 200"))
                .contains("during 200", "after 200");
        long expected = completed.get();
        Deployment.awaitTrue(
                () -> deployment.recordedRequests(key.key()) == expected,
                Duration.ofSeconds(40),
                "the usage of all " + expected + " completed requests is in Redis");
        Thread.sleep(500);
        assertThat(deployment.recordedRequests(key.key()))
                .as("each counted once")
                .isEqualTo(expected);
        String log = deployment.logs("relaygate.log");
        assertThat(warnings(log) - warningsBefore)
                .as("outage warnings are rate-limited per kind (two instances, 10 s):%n%s", log)
                .isLessThan(80);
        assertThat(deployment.logs("stdout.log"))
                .as("no stack traces outside the logging setup")
                .doesNotContain("\tat io.lettuce")
                .doesNotContain("\tat com.github.benmanes");
    }

    @Test
    @Order(2)
    void anInstanceKilledUnderLoadLosesNoCompletedUsageItsLeasesLapseAndTheOtherServes() throws Exception {
        CreatedKey key = deployment.key("kill", KeyRules.NONE);
        CreatedKey single = deployment.key("kill-single", DeployIT.concurrency(1));
        // a stream on instance 1 holds the concurrency-1 key's only lease when the instance dies
        CompletableFuture<HttpResponse<String>> held = HTTP.sendAsync(
                streamRequest(deployment.gatewayUrl(1), single.secret(), 40, 250),
                HttpResponse.BodyHandlers.ofString());
        AtomicLong completed = new AtomicLong();
        List<Long> failedAt = Collections.synchronizedList(new ArrayList<>());
        Load load = Load.start(() -> {
            HttpResponse<String> r =
                    HTTP.send(jsonRequest(deployment.nginxUrl(), key.secret()), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                completed.incrementAndGet();
            } else {
                failedAt.add(System.nanoTime());
            }
            Thread.sleep(5);
        });
        Thread.sleep(2000);
        Process killed = deployment.gateway(1);
        killed.destroyForcibly(); // SIGKILL
        long killedAt = System.nanoTime();
        assertThat(killed.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(3000);
        List<String> errors = load.stop();
        long servedAfterKill = completed.get();
        assertThat(servedAfterKill).isPositive();
        assertThat(held.handle((r, e) -> e != null || !r.body().contains("message_stop"))
                        .get(30, TimeUnit.SECONDS))
                .as("the stream on the killed instance was cut")
                .isTrue();
        // only requests in flight on the killed instance may fail (at most one per client); after a second the
        // survivor serves everything
        assertThat(errors.size() + failedAt.size()).isLessThanOrEqualTo(CLIENTS);
        assertThat(failedAt)
                .as("nothing fails once nginx has moved to the survivor")
                .allMatch(t -> t - killedAt < TimeUnit.SECONDS.toNanos(1));

        // The killed instance's lease on the concurrency-1 key lapses within its TTL (15 s), not minutes.
        long leaseWaitStarted = System.nanoTime();
        Deployment.awaitTrue(
                () -> send(deployment.gatewayUrl(0), single.secret()) == 200,
                Duration.ofSeconds(30),
                "the dead instance's lease lapses");
        long leaseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - leaseWaitStarted);
        System.out.printf("DeployFaultsIT: the dead instance's lease lapsed %d ms after the kill%n", leaseMillis);

        // Restarted on its data directory, the killed instance replays its usage journal: every completed request is
        // recorded, and none twice (a cut request may or may not have been recorded).
        deployment.startGateway(1);
        long settledFloor = completed.get();
        Deployment.awaitTrue(
                () -> deployment.recordedRequests(key.key()) >= settledFloor,
                Duration.ofSeconds(40),
                "the usage of all " + settledFloor + " completed requests is recorded");
        Thread.sleep(1000);
        assertThat(deployment.recordedRequests(key.key()))
                .as("no request recorded twice")
                .isBetween(settledFloor, settledFloor + errors.size() + failedAt.size());
        assertThat(deployment
                        .store()
                        .state()
                        .conditions(Instant.now())
                        .toCompletableFuture()
                        .join())
                .as("a killed instance takes no account out")
                .isEmpty();
        assertThat(send(deployment.nginxUrl(), key.secret())).isEqualTo(200);
    }

    private static long warnings(String log) {
        return log.lines()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .count();
    }

    private static int send(String base, String secret) {
        try {
            return HTTP.send(jsonRequest(base, secret), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** {@link #CLIENTS} threads repeating one request until stopped. */
    private static final class Load {

        interface Step {
            void run() throws Exception;
        }

        private volatile boolean running = true;
        private final List<Thread> clients = new ArrayList<>();
        private final List<String> errors = Collections.synchronizedList(new ArrayList<>());

        static Load start(Step step) {
            Load load = new Load();
            for (int c = 0; c < CLIENTS; c++) {
                Thread t = new Thread(
                        () -> {
                            while (load.running) {
                                try {
                                    step.run();
                                } catch (InterruptedException e) {
                                    return;
                                } catch (Exception e) {
                                    load.errors.add(e.toString());
                                }
                            }
                        },
                        "load-" + c);
                t.start();
                load.clients.add(t);
            }
            return load;
        }

        List<String> stop() throws InterruptedException {
            running = false;
            for (Thread t : clients) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(t.isAlive()).as("%s ends", t.getName()).isFalse();
            }
            return errors;
        }
    }
}
