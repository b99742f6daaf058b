package io.relaygate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.server.exchange.ExchangeOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A stop (SIGTERM's path: GatewayServer.drain) lets streams in flight finish and takes no new work. */
class DrainIT {

    private static CompletableFuture<HttpResponse<String>> stream(GatewayHarness gw, int events, int intervalMillis) {
        HttpRequest r = HttpRequest.newBuilder(URI.create(gw.baseUrl() + "/v1/messages"))
                .timeout(Duration.ofSeconds(60))
                .header("x-api-key", gw.key)
                .header("content-type", "application/json")
                .header("x-mock-events", String.valueOf(events))
                .header("x-mock-event-interval-ms", String.valueOf(intervalMillis))
                .POST(HttpRequest.BodyPublishers.ofString(GatewayHarness.messages("claude-sonnet-4-5", true, "hi")))
                .build();
        return gw.http.sendAsync(r, HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitInFlight(GatewayHarness gw, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gw.server.inFlight() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gw.server.inFlight())
                .as("requests in flight before the stop")
                .isEqualTo(n);
    }

    private static boolean refused(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    @Test
    void aStreamInFlightRunsToCompletionWhileNoNewConnectionIsTaken() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            int port = gw.server.port();
            Socket idle = new Socket("127.0.0.1", port);
            idle.setSoTimeout(10_000);
            CompletableFuture<HttpResponse<String>> inFlight = stream(gw, 8, 250);
            awaitInFlight(gw, 1);

            CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> gw.server.drain(Duration.ofSeconds(30)));

            InputStream in = idle.getInputStream();
            assertThat(in.read())
                    .as("an idle keep-alive connection is closed at once")
                    .isEqualTo(-1);
            idle.close();
            assertThat(refused(port)).as("the listener is closed").isTrue();
            HttpResponse<String> done = inFlight.get(30, TimeUnit.SECONDS);
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(done.body())
                    .as("the whole stream")
                    .contains("message_stop")
                    .doesNotContain("event: error");
            drained.get(30, TimeUnit.SECONDS);
            ExchangeOutcome o = gw.nextOutcome();
            assertThat(o.end()).isEqualTo(ExchangeOutcome.End.COMPLETED);
            assertThat(o.usage().outputTokens()).isPositive();
            assertThat(gw.server.inFlight()).isZero();
        }
    }

    @Test
    void aStreamStillRunningAtTheDeadlineEndsWithAnErrorEventAndTheAccountStaysInRotation() throws Exception {
        try (GatewayHarness gw = GatewayHarness.start()) {
            CompletableFuture<HttpResponse<String>> inFlight = stream(gw, 200, 100);
            awaitInFlight(gw, 1);
            Thread.sleep(300); // a few events reached the client

            long started = System.nanoTime();
            gw.server.drain(Duration.ofMillis(500));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
                    .as("drain returns once the cut stream reported, not after the 20 s stream")
                    .isLessThan(10_000);

            HttpResponse<String> cut = inFlight.get(10, TimeUnit.SECONDS);
            assertThat(cut.statusCode()).isEqualTo(200);
            assertThat(cut.body())
                    .as("a well-formed end in the client's format")
                    .contains("event: error")
                    .contains("the gateway is stopping");
            ExchangeOutcome o = gw.nextOutcome();
            assertThat(o.end()).isNotEqualTo(ExchangeOutcome.End.CLIENT_CANCELLED);
            assertThat(o.error()).isEqualTo("gateway_stopping");
            assertThat(o.usage().outputTokens())
                    .as("the tokens streamed so far")
                    .isPositive();
            assertThat(gw.store
                            .state()
                            .conditions(Instant.now())
                            .toCompletableFuture()
                            .join())
                    .as("our own stop is never the account's failure")
                    .isEmpty();
        }
    }
}
