package io.relaygate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver against the mock upstream. Assertions are on counts and on lower bounds the schedule forces (a serial
 * server with a fixed delay), never on how fast this machine is. The h2c mode (streams multiplexed over a few HTTP/2
 * connections) must count as the HTTP/1.1 mode does: late events are forced by the mock's pacing (an event every
 * 300 ms against a driver told to expect one every 10 ms); how many streams fit in a window depends on the machine, so
 * only the counts per stream are exact.
 */
class LoadDriverTest {

    private static MockUpstream mock;

    @BeforeAll
    static void start() {
        // HTTP/2 too (h2c with prior knowledge next to HTTP/1.1 on one port), for the driver's --h2c mode.
        mock = MockUpstream.start(MockOptions.defaults().withHttp2(true));
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

    @ParameterizedTest(name = "h2c={0}")
    @ValueSource(booleans = {false, true})
    void serverErrorsAreCountedNotTimed(boolean h2c) throws Exception {
        // On h2c the status comes from the HEADERS frame the driver reads itself, and the JSON body is no stream.
        LoadOptions o =
                options(1, Duration.ofMillis(200)).withHeaders(List.of(Map.entry("x-api-key", "mock-error-500")));

        LoadReport r = LoadDriver.run(h2c ? o.withH2c(1) : o);

        assertThat(r.statusErrors()).isEqualTo(r.requests()).isPositive();
        assertThat(r.streams()).isZero();
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

    private static LoadOptions streams(boolean h2c, int concurrency, int events, long intervalMillis) {
        LoadOptions o = LoadOptions.closedLoop(URI.create(mock.baseUrl() + "/v1/messages"), concurrency)
                .withTiming(Duration.ofMillis(300), Duration.ZERO, Duration.ZERO)
                .withStream(events, intervalMillis);
        return h2c ? o.withH2c(2) : o;
    }

    @Test
    void h2cStreamsShareTheirConnectionsAndCountEveryContentEvent() throws Exception {
        int before = mock.connectionsAccepted();

        LoadReport r = LoadDriver.run(streams(true, 6, 5, 10));

        assertThat(mock.connectionsAccepted() - before)
                .as("six streams at a time over two connections")
                .isEqualTo(2);
        assertThat(r.connected()).as("every slot opened its first stream").isEqualTo(6);
        assertThat(r.errors()).isZero();
        assertThat(r.streams()).isEqualTo(r.requests()).isPositive();
        assertThat(r.events())
                .as("5 deltas per stream, other events not counted")
                .isEqualTo(5 * r.streams());
        assertThat(r.lostStreams()).isZero();
        assertThat(r.gaps().count()).as("4 gaps between 5 events").isEqualTo(4 * r.streams());
        assertThat(r.peakStreams()).isBetween(1, 6);
    }

    @ParameterizedTest(name = "h2c={0}")
    @ValueSource(booleans = {false, true})
    void gapsOverTwiceTheIntervalAreLateInBothModes(boolean h2c) throws Exception {
        // The mock sends a delta every 300 ms; the driver expects one every 10 ms: each of the 2 gaps of a 3-delta
        // stream is late.
        LoadOptions o = streams(h2c, 3, 3, 10).withHeaders(List.of(Map.entry("x-mock-event-interval-ms", "300")));

        LoadReport r = LoadDriver.run(o);

        assertThat(r.errors()).isZero();
        assertThat(r.streams()).isPositive();
        assertThat(r.events()).isEqualTo(3 * r.streams());
        assertThat(r.lateEvents()).as("every gap is late").isEqualTo(2 * r.streams());
        assertThat(r.lateByIndex())
                .as("one late gap after each stream's first event, one after its second")
                .containsExactly(r.streams(), r.streams(), 0L);
        assertThat(r.lateByTime().stream().mapToLong(Long::longValue).sum())
                .as("the timeline holds every late event")
                .isEqualTo(r.lateEvents());
        assertThat(r.lateByTime().size())
                .as("100 ms buckets within the window and its drain")
                .isLessThanOrEqualTo(
                        1 + (int) ((o.duration().toMillis() + o.drain().toMillis()) / 100));
        assertThat(r.lateByTime().get(r.lateByTime().size() - 1))
                .as("the timeline ends with its last late event")
                .isPositive();
        JsonNode json = new ObjectMapper().readTree(r.toJson());
        assertThat(json.path("late_by_index").path("second").asLong()).isEqualTo(r.streams());
        assertThat(json.path("late_by_100ms").size()).isEqualTo(r.lateByTime().size());
    }

    @ParameterizedTest(name = "h2c={0}")
    @ValueSource(booleans = {false, true})
    void shortStreamsAreLostInBothModes(boolean h2c) throws Exception {
        // The driver expects 5 events; the mock is told to send 3.
        LoadOptions o = streams(h2c, 4, 5, 0).withHeaders(List.of(Map.entry("x-mock-events", "3")));

        LoadReport r = LoadDriver.run(o);

        assertThat(r.streams()).isPositive();
        assertThat(r.events()).isEqualTo(3 * r.streams());
        assertThat(r.lostStreams()).isEqualTo(r.streams());
        assertThat(r.lostEvents()).isEqualTo(2 * r.streams());
    }

    @ParameterizedTest(name = "h2c={0}")
    @ValueSource(booleans = {false, true})
    void everyContentEventTheMockWroteIsCountedOnceInBothModes(boolean h2c) throws Exception {
        // No warm-up and a drain long enough for every stream to end: each answer the mock wrote is measured. The mock
        // counts every event it wrote (8 deltas and 6 others a stream); the driver (h2c: its connection's frame
        // listener, events counted per stream id) counts the deltas alone.
        LoadOptions o = streams(h2c, 6, 8, 5).withDrain(Duration.ofSeconds(20));

        LoadReport r = LoadDriver.run(o);
        JsonNode usage = new ObjectMapper().readTree(mock.declaredUsage());

        assertThat(r.errors()).isZero();
        assertThat(r.timedOut()).as("every stream ended in the drain").isZero();
        assertThat(r.streams())
                .as("every answer the mock streamed is one stream")
                .isEqualTo(usage.path("requests").asLong())
                .isPositive();
        assertThat(r.events())
                .as("the mock's events less the 6 that are not deltas, per stream")
                .isEqualTo(usage.path("events").asLong() - 6 * r.streams())
                .isEqualTo(8 * r.streams());
        assertThat(r.lostEvents()).isZero();
    }
}
