package io.relaygate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.relaygate.bench.mock.MockOptions;
import io.relaygate.bench.mock.MockUpstream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The driver against the mock upstream. Assertions are on counts and on lower bounds the schedule forces (a serial
 * server with a fixed delay), never on how fast this machine is.
 */
class LoadDriverTest {

    private static MockUpstream mock;

    @BeforeAll
    static void start() {
        mock = MockUpstream.start(MockOptions.defaults());
    }

    @AfterAll
    static void stop() {
        mock.close();
    }

    @BeforeEach
    void reset() {
        mock.reset();
    }

    private static LoadOptions options(int concurrency, Duration duration) {
        return LoadOptions.closedLoop(URI.create(mock.baseUrl() + "/v1/messages"), concurrency)
                .withTiming(duration, Duration.ZERO, Duration.ZERO);
    }

    @Test
    void closedLoopCountsEveryAnswerTheMockSent() throws Exception {
        LoadReport r = LoadDriver.run(options(4, Duration.ofMillis(400)));

        assertThat(r.connected()).isEqualTo(4);
        assertThat(r.requests()).as("some answers in 400 ms").isPositive();
        assertThat(r.errors()).isZero();
        assertThat(mock.exchanges())
                .as("no warm-up: every request the mock answered is counted once")
                .hasSize((int) r.requests());
        assertThat(r.latency().count()).isEqualTo(r.requests());
        assertThat(r.ttfb().count()).isEqualTo(r.requests());
        assertThat(r.latency().max()).isGreaterThanOrEqualTo(r.latency().p50());
        assertThat(r.streams()).as("JSON answers are no streams").isZero();
    }

    @Test
    void openLoopLatencyIncludesTheQueueBehindAStalledServer() throws Exception {
        // 20 requests due over one second on one connection, each answered after 100 ms: the server can do 10/s, so
        // request k cannot finish before (k + 1) × 100 ms although it was due at k × 50 ms.
        LoadOptions o = options(1, Duration.ofSeconds(1)).withRate(20, 1).withTtftMillis(100);

        LoadReport r = LoadDriver.run(o);

        assertThat(r.requests() + r.timedOut()).isEqualTo(20);
        assertThat(r.errors()).isZero();
        assertThat(r.latency().max())
                .as("the last request waited behind 19 others: at least 19 × 50 + 100 ms from its due time")
                .isGreaterThanOrEqualTo(1_050_000);
        assertThat(r.latency().p50())
                .as("the median request queued too, far beyond the 100 ms service time")
                .isGreaterThanOrEqualTo(500_000);
    }

    @Test
    void streamsCountTheirContentEvents() throws Exception {
        LoadOptions o = options(3, Duration.ofMillis(300)).withStream(5, 10);

        LoadReport r = LoadDriver.run(o);

        assertThat(r.streams()).isEqualTo(r.requests()).isPositive();
        assertThat(r.events()).isEqualTo(5 * r.streams());
        assertThat(r.lostStreams()).isZero();
        assertThat(r.lostEvents()).isZero();
        assertThat(r.peakStreams()).isBetween(1, 3);
        assertThat(r.gaps().count()).as("4 gaps between 5 events").isEqualTo(4 * r.streams());
    }

    @Test
    void streamsShorterThanAskedForAreLost() throws Exception {
        // The driver expects 5 events; the mock is told to send 3.
        LoadOptions o = options(2, Duration.ofMillis(200))
                .withStream(5, 0)
                .withHeaders(List.of(Map.entry("x-mock-events", "3")));

        LoadReport r = LoadDriver.run(o);

        assertThat(r.streams()).isPositive();
        assertThat(r.lostStreams()).isEqualTo(r.streams());
        assertThat(r.lostEvents()).isEqualTo(2 * r.streams());
    }

    @Test
    void serverErrorsAreCountedNotTimed() throws Exception {
        LoadOptions o =
                options(1, Duration.ofMillis(200)).withHeaders(List.of(Map.entry("x-api-key", "mock-error-500")));

        LoadReport r = LoadDriver.run(o);

        assertThat(r.statusErrors()).isEqualTo(r.requests()).isPositive();
    }

    @Test
    void connectInRampOpensEachConnectionWhenItsFirstRequestIsDue() throws Exception {
        // 4 slots over a 600 ms ramp: none is connected when the run starts, and each then serves its requests.
        LoadOptions o = options(4, Duration.ofMillis(900))
                .withTiming(Duration.ofMillis(900), Duration.ZERO, Duration.ofMillis(600));
        int before = mock.connectionsAccepted();
        int[] atStart = new int[1];

        LoadReport r = LoadDriver.run(o, true, progress -> atStart[0] = mock.connectionsAccepted() - before);

        assertThat(atStart[0]).as("connections up when the run starts").isZero();
        assertThat(mock.connectionsAccepted() - before)
                .as("one connection per slot")
                .isEqualTo(4);
        assertThat(r.requests()).isPositive();
        assertThat(r.errors()).isZero();
        assertThat(mock.exchanges()).hasSize((int) r.requests());
    }
}
