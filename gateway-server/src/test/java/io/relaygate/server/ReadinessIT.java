package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.core.config.StoreConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /readyz} follows the store's reachability; {@code /healthz} stays liveness only. The gateway runs on a Redis
 * of the test's own (redis-server on an ephemeral loopback port, no persistence), which the test then stops.
 */
class ReadinessIT {

    private Process redis;
    private GatewayHarness gw;

    @AfterEach
    void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        if (redis != null) {
            redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void readyzAnswers503WhileTheStoreIsUnreachableAndHealthzStays200() throws Exception {
        int port = freePort();
        redis = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        awaitListening(port);
        gw = GatewayHarness.builder()
                .config(c -> c.withStore(new StoreConfig(
                        StoreConfig.REDIS, c.store().dataDir(), "redis://127.0.0.1:" + port, "rgready:")))
                .start();
        assertThat(gw.get("/readyz").statusCode()).as("the store answers").isEqualTo(200);

        redis.destroy();
        assertThat(redis.waitFor(10, TimeUnit.SECONDS)).isTrue();

        HttpResponse<byte[]> notReady = null;
        // the probe runs at most once a second: bounded wait for the first probe after Redis went away
        for (int i = 0; i < 50; i++) {
            HttpResponse<byte[]> r = gw.get("/readyz");
            if (r.statusCode() == 503) {
                notReady = r;
                break;
            }
            Thread.sleep(100);
        }
        assertThat(notReady)
                .as("/readyz answers 503 within 5 s of the store going away")
                .isNotNull();
        assertThat(new String(notReady.body(), StandardCharsets.UTF_8))
                .contains("store unreachable")
                .doesNotContain(String.valueOf(port));
        assertThat(gw.get("/healthz").statusCode())
                .as("liveness does not depend on the store")
                .isEqualTo(200);
        assertThat(gw.get("/readyz").statusCode()).as("still unreachable").isEqualTo(503);

        HttpResponse<byte[]> metrics = gw.get("/metrics");
        assertThat(metrics.statusCode())
                .as("metrics are served without the store")
                .isEqualTo(200);
        Scrape m = new Scrape(new String(metrics.body(), StandardCharsets.UTF_8));
        assertThat(m.sum("relaygate_redis_command_failures_total", "command", "PING"))
                .as("the failed probes are Redis command failures")
                .isPositive();
        assertThat(m.sum("relaygate_redis_command_duration_seconds_count", "command", "PING"))
                .as("the probe that answered before")
                .isPositive();
        assertThat(m.sum("relaygate_ready")).isZero();
    }

    @Test
    void theEmbeddedStoreIsAlwaysReady() throws Exception {
        gw = GatewayHarness.start();
        assertThat(gw.get("/readyz").statusCode()).isEqualTo(200);
        assertThat(gw.get("/healthz").statusCode()).isEqualTo(200);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitListening(int port) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                assertThat(redis.isAlive()).as("redis-server started").isTrue();
                Thread.sleep(50);
            }
        }
        throw new AssertionError("redis-server did not listen on " + port + " within 5 s");
    }
}
