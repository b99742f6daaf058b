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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The driver's h2c mode (streams multiplexed over a few HTTP/2 connections) against the real mock on a loopback port,
 * next to the HTTP/1.1 mode it must count alike. Late events are forced by the mock's pacing (an event every 300 ms
 * against a driver told to expect one every 10 ms), so the counts do not depend on how fast this machine is; how many
 * streams fit in the window does, so only the counts per stream are exact.
 */
class LoadDriverH2cTest {

    private static MockUpstream mock;

    @BeforeAll
    static void start() {
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
}
