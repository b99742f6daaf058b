package io.relaygate.bench.mock;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the mock upstream paces its answers.
 *
 * @param port port to bind on 127.0.0.1 (0: ephemeral)
 * @param ttft delay before the first event (time to first token)
 * @param events content delta events of a {@code text} answer
 * @param eventInterval delay between two delta events
 * @param floodBytes size of the {@code flood} scenario's stream
 */
public record MockOptions(int port, Duration ttft, int events, Duration eventInterval, long floodBytes) {

    public static final int DEFAULT_EVENTS = 5;
    public static final long DEFAULT_FLOOD_BYTES = 64L * 1024 * 1024;

    public MockOptions {
        requireNonNull(ttft, "ttft");
        requireNonNull(eventInterval, "eventInterval");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        if (events < 1) {
            throw new IllegalArgumentException("events: " + events + " (expected: > 0)");
        }
        if (ttft.isNegative() || eventInterval.isNegative()) {
            throw new IllegalArgumentException("ttft/eventInterval: negative (expected: >= 0)");
        }
        if (floodBytes < 1) {
            throw new IllegalArgumentException("floodBytes: " + floodBytes + " (expected: > 0)");
        }
    }

    public static MockOptions defaults() {
        return new MockOptions(0, Duration.ZERO, DEFAULT_EVENTS, Duration.ZERO, DEFAULT_FLOOD_BYTES);
    }

    public MockOptions withPort(int value) {
        return new MockOptions(value, ttft, events, eventInterval, floodBytes);
    }

    public MockOptions withTtft(Duration value) {
        return new MockOptions(port, value, events, eventInterval, floodBytes);
    }

    public MockOptions withEvents(int value) {
        return new MockOptions(port, ttft, value, eventInterval, floodBytes);
    }

    public MockOptions withEventInterval(Duration value) {
        return new MockOptions(port, ttft, events, value, floodBytes);
    }

    public MockOptions withFloodBytes(long value) {
        return new MockOptions(port, ttft, events, eventInterval, value);
    }
}
