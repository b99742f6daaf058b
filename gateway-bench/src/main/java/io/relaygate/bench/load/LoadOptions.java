package io.relaygate.bench.load;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One load run.
 *
 * @param target {@code http://host:port/path} (no TLS: the driver measures the relay, not a handshake)
 * @param concurrency closed loop: requests (or streams) in flight at once, one per connection; ignored with a rate
 * @param rate open loop: requests started per second in total (0: closed loop); each connection sends on its own
 *     schedule (wrk2's model) and latency counts from the intended send time, so a stall shows as queueing
 * @param connections open loop: connections sharing the rate
 * @param duration measured time
 * @param warmup time before the measured window; its requests are discarded
 * @param ramp closed loop: the connections start spread over this time (streams: so 10,000 do not open at once)
 * @param stream ask for an SSE stream ({@code "stream": true}) and check its events
 * @param events streams: content events the mock sends ({@code x-mock-events}, 0: the mock's default)
 * @param intervalMillis streams: gap between two content events ({@code x-mock-event-interval-ms}); a gap over twice
 *     this is a late event
 * @param ttftMillis delay before the first event or the JSON answer ({@code x-mock-ttft-ms}, -1: not sent)
 * @param countEvent an SSE event whose text contains this is a content event (default: Anthropic's deltas)
 * @param headers extra request headers (after the defaults, so they can replace them)
 * @param body request body; {@code null}: a small Anthropic Messages request
 * @param slowReadBytesPerSec read responses at this rate (0: as fast as they come)
 * @param threads event loop threads of the driver
 * @param drain after the window, how long in-flight requests may take to finish before they count as errors
 * @param h2c HTTP/2 with prior knowledge (RFC 9113 section 3.3): the closed loop's streams multiplexed over
 *     {@code connections} connections, each request a new HTTP/2 stream; else HTTP/1.1, one request at a time per
 *     connection
 */
public record LoadOptions(
        URI target,
        int concurrency,
        double rate,
        int connections,
        Duration duration,
        Duration warmup,
        Duration ramp,
        boolean stream,
        int events,
        long intervalMillis,
        long ttftMillis,
        String countEvent,
        List<Map.Entry<String, String>> headers,
        byte @Nullable [] body,
        long slowReadBytesPerSec,
        int threads,
        Duration drain,
        boolean h2c) {

    public static final String DEFAULT_COUNT_EVENT = "content_block_delta";
    public static final int DEFAULT_OPEN_LOOP_CONNECTIONS = 32;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(3);
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);

    public LoadOptions {
        requireNonNull(target, "target");
        requireNonNull(duration, "duration");
        requireNonNull(warmup, "warmup");
        requireNonNull(ramp, "ramp");
        requireNonNull(countEvent, "countEvent");
        requireNonNull(drain, "drain");
        headers = List.copyOf(headers);
        if (!"http".equals(target.getScheme()) || target.getHost() == null) {
            throw new IllegalArgumentException("target: " + target + " (expected: http://host[:port]/path)");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency: " + concurrency + " (expected: > 0)");
        }
        if (rate < 0 || Double.isNaN(rate)) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: >= 0)");
        }
        if (connections < 1) {
            throw new IllegalArgumentException("connections: " + connections + " (expected: > 0)");
        }
        if (duration.isNegative() || duration.isZero() || warmup.isNegative() || ramp.isNegative()) {
            throw new IllegalArgumentException("duration: " + duration + ", warmup: " + warmup + ", ramp: " + ramp
                    + " (expected: duration > 0, warmup and ramp >= 0)");
        }
        if (events < 0 || intervalMillis < 0 || slowReadBytesPerSec < 0) {
            throw new IllegalArgumentException("events: " + events + ", interval: " + intervalMillis + ", slow read: "
                    + slowReadBytesPerSec + " (expected: >= 0)");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: > 0)");
        }
        if (h2c && (rate > 0 || slowReadBytesPerSec > 0)) {
            throw new IllegalArgumentException("h2c: with rate " + rate + ", slow read " + slowReadBytesPerSec
                    + " (expected: the closed loop at full read speed)");
        }
        if (countEvent.isEmpty()) {
            throw new IllegalArgumentException("countEvent: empty (expected: a text content events contain)");
        }
    }

    /** Closed loop, 10 s after a 3 s warm-up, JSON answers. */
    public static LoadOptions closedLoop(URI target, int concurrency) {
        return new LoadOptions(
                target,
                concurrency,
                0,
                DEFAULT_OPEN_LOOP_CONNECTIONS,
                DEFAULT_DURATION,
                DEFAULT_WARMUP,
                Duration.ZERO,
                false,
                0,
                0,
                -1,
                DEFAULT_COUNT_EVENT,
                List.of(),
                null,
                0,
                1,
                DEFAULT_DRAIN,
                false);
    }

    public boolean openLoop() {
        return rate > 0;
    }

    /**
     * Connections the run opens: one per concurrent request (closed loop), the open loop's pool, or with h2c the
     * connections the streams share.
     */
    public int connectionCount() {
        return openLoop() || h2c ? connections : concurrency;
    }

    public LoadOptions withRate(double value, int connectionCount) {
        return edit(e -> {
            e.rate = value;
            e.connections = connectionCount;
        });
    }

    public LoadOptions withTiming(Duration measured, Duration warm, Duration rampUp) {
        return edit(e -> {
            e.duration = measured;
            e.warmup = warm;
            e.ramp = rampUp;
        });
    }

    public LoadOptions withStream(int eventCount, long interval) {
        return edit(e -> {
            e.stream = true;
            e.events = eventCount;
            e.intervalMillis = interval;
        });
    }

    public LoadOptions withTtftMillis(long value) {
        return edit(e -> e.ttftMillis = value);
    }

    public LoadOptions withHeaders(List<Map.Entry<String, String>> value) {
        return edit(e -> e.headers = value);
    }

    public LoadOptions withBody(byte[] value) {
        return edit(e -> e.body = value);
    }

    public LoadOptions withSlowRead(long bytesPerSec) {
        return edit(e -> e.slowReadBytesPerSec = bytesPerSec);
    }

    public LoadOptions withThreads(int value) {
        return edit(e -> e.threads = value);
    }

    public LoadOptions withDrain(Duration value) {
        return edit(e -> e.drain = value);
    }

    public LoadOptions withCountEvent(String value) {
        return edit(e -> e.countEvent = value);
    }

    public LoadOptions withH2c(int connectionCount) {
        return edit(e -> {
            e.connections = connectionCount;
            e.h2c = true;
        });
    }

    private LoadOptions edit(java.util.function.Consumer<Edit> change) {
        Edit e = new Edit(this);
        change.accept(e);
        return new LoadOptions(
                e.target,
                e.concurrency,
                e.rate,
                e.connections,
                e.duration,
                e.warmup,
                e.ramp,
                e.stream,
                e.events,
                e.intervalMillis,
                e.ttftMillis,
                e.countEvent,
                e.headers,
                e.body,
                e.slowReadBytesPerSec,
                e.threads,
                e.drain,
                e.h2c);
    }

    /** A copy of the options to change in a with-method: the one place that names every component. */
    private static final class Edit {
        URI target;
        int concurrency;
        double rate;
        int connections;
        Duration duration;
        Duration warmup;
        Duration ramp;
        boolean stream;
        int events;
        long intervalMillis;
        long ttftMillis;
        String countEvent;
        List<Map.Entry<String, String>> headers;
        byte @Nullable [] body;
        long slowReadBytesPerSec;
        int threads;
        Duration drain;
        boolean h2c;

        Edit(LoadOptions o) {
            target = o.target;
            concurrency = o.concurrency;
            rate = o.rate;
            connections = o.connections;
            duration = o.duration;
            warmup = o.warmup;
            ramp = o.ramp;
            stream = o.stream;
            events = o.events;
            intervalMillis = o.intervalMillis;
            ttftMillis = o.ttftMillis;
            countEvent = o.countEvent;
            headers = o.headers;
            body = o.body;
            slowReadBytesPerSec = o.slowReadBytesPerSec;
            threads = o.threads;
            drain = o.drain;
            h2c = o.h2c;
        }
    }
}
