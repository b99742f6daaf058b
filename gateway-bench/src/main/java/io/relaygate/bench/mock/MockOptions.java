package io.relaygate.bench.mock;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How the mock upstream paces its answers, whether it speaks TLS, and how long its OAuth access tokens live.
 *
 * @param port port to bind on 127.0.0.1 (0: ephemeral)
 * @param ttft delay before the first event (time to first token)
 * @param events content delta events of a {@code text} answer
 * @param eventInterval delay between two delta events
 * @param floodBytes size of the {@code flood} scenario's stream
 * @param tls serve HTTPS with a self-signed certificate for {@code localhost} and {@code 127.0.0.1} (see
 *     {@link MockUpstream#trustStore()})
 * @param oauthExpiresIn lifetime of the access tokens the OAuth token endpoints issue (their {@code expires_in}); zero
 *     issues tokens that are already expired
 */
public record MockOptions(
        int port,
        Duration ttft,
        int events,
        Duration eventInterval,
        long floodBytes,
        boolean tls,
        Duration oauthExpiresIn) {

    public static final int DEFAULT_EVENTS = 5;
    public static final long DEFAULT_FLOOD_BYTES = 64L * 1024 * 1024;
    /** One hour, the {@code expires_in} the Claude and OpenAI token endpoints commonly answer with. */
    public static final Duration DEFAULT_OAUTH_EXPIRES_IN = Duration.ofHours(1);

    public MockOptions {
        requireNonNull(ttft, "ttft");
        requireNonNull(eventInterval, "eventInterval");
        requireNonNull(oauthExpiresIn, "oauthExpiresIn");
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
        if (oauthExpiresIn.isNegative()) {
            throw new IllegalArgumentException("oauthExpiresIn: " + oauthExpiresIn + " (expected: >= 0)");
        }
    }

    public static MockOptions defaults() {
        return new MockOptions(
                0, Duration.ZERO, DEFAULT_EVENTS, Duration.ZERO, DEFAULT_FLOOD_BYTES, false, DEFAULT_OAUTH_EXPIRES_IN);
    }

    public MockOptions withPort(int value) {
        return new MockOptions(value, ttft, events, eventInterval, floodBytes, tls, oauthExpiresIn);
    }

    public MockOptions withTtft(Duration value) {
        return new MockOptions(port, value, events, eventInterval, floodBytes, tls, oauthExpiresIn);
    }

    public MockOptions withEvents(int value) {
        return new MockOptions(port, ttft, value, eventInterval, floodBytes, tls, oauthExpiresIn);
    }

    public MockOptions withEventInterval(Duration value) {
        return new MockOptions(port, ttft, events, value, floodBytes, tls, oauthExpiresIn);
    }

    public MockOptions withFloodBytes(long value) {
        return new MockOptions(port, ttft, events, eventInterval, value, tls, oauthExpiresIn);
    }

    public MockOptions withTls(boolean value) {
        return new MockOptions(port, ttft, events, eventInterval, floodBytes, value, oauthExpiresIn);
    }

    public MockOptions withOAuthExpiresIn(Duration value) {
        return new MockOptions(port, ttft, events, eventInterval, floodBytes, tls, value);
    }
}
