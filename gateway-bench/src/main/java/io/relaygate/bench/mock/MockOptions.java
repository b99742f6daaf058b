package io.relaygate.bench.mock;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How the mock upstream paces its answers, whether it speaks TLS, how long its OAuth access tokens live, and which
 * rate-limit headers it sends.
 *
 * @param port port to bind on 127.0.0.1 (0: ephemeral)
 * @param ttft delay before the first event, or before the whole JSON answer (time to first token; zero: at once)
 * @param events content delta events of a {@code text} answer
 * @param eventInterval delay between two delta events
 * @param floodBytes size of the {@code flood} scenario's stream
 * @param tls serve HTTPS with a self-signed certificate for {@code localhost} and {@code 127.0.0.1} (see
 *     {@link MockUpstream#trustStore()})
 * @param oauthExpiresIn lifetime of the access tokens the OAuth token endpoints issue (their {@code expires_in}); zero
 *     issues tokens that are already expired
 * @param rateLimits rate-limit header values this mock sends instead of its defaults, by the header's name without its
 *     vendor prefix: {@code ratelimit-requests-remaining} for {@code anthropic-ratelimit-requests-remaining},
 *     {@code ratelimit-unified-5h-utilization} for {@code anthropic-ratelimit-unified-5h-utilization},
 *     {@code ratelimit-remaining-requests} for OpenAI's {@code x-ratelimit-remaining-requests}; a request header
 *     {@code x-mock-<same name>} overrides them in turn. A unified value makes every Anthropic answer a subscription
 *     answer (with the {@code anthropic-ratelimit-unified-*} headers). Lets a test run two mocks whose accounts are
 *     used differently.
 * @param record whether exchanges are kept for {@link MockUpstream#exchanges()} (tests); benchmarks turn it off so a
 *     long run neither grows the mock's heap nor slows it down
 * @param http2 also speak HTTP/2: with TLS, ALPN offers {@code h2} and {@code http/1.1} (off: no ALPN, HTTP/1.1 only);
 *     without TLS, a connection that opens with the HTTP/2 preface speaks h2c (prior knowledge, RFC 9113 section
 *     3.3), any other HTTP/1.1. Each exchange records its protocol ({@link RecordedExchange#protocol()})
 * @param maxConcurrentStreams the {@code SETTINGS_MAX_CONCURRENT_STREAMS} an HTTP/2 connection announces
 */
public record MockOptions(
        int port,
        Duration ttft,
        int events,
        Duration eventInterval,
        long floodBytes,
        boolean tls,
        Duration oauthExpiresIn,
        Map<String, String> rateLimits,
        boolean record,
        boolean http2,
        int maxConcurrentStreams) {

    public static final int DEFAULT_EVENTS = 5;
    public static final long DEFAULT_FLOOD_BYTES = 64L * 1024 * 1024;
    /** One hour, the {@code expires_in} the Claude and OpenAI token endpoints commonly answer with. */
    public static final Duration DEFAULT_OAUTH_EXPIRES_IN = Duration.ofHours(1);
    /** What many HTTP/2 servers announce, and RFC 9113's recommended minimum (section 6.5.2). */
    public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;

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
        if (maxConcurrentStreams < 1) {
            throw new IllegalArgumentException("maxConcurrentStreams: " + maxConcurrentStreams + " (expected: > 0)");
        }
        rateLimits = Map.copyOf(rateLimits);
        for (String name : rateLimits.keySet()) {
            if (!name.startsWith("ratelimit-")) {
                throw new IllegalArgumentException(
                        "rateLimits: " + name + " (expected: a header name without its vendor prefix, like"
                                + " ratelimit-requests-remaining)");
            }
        }
    }

    public static MockOptions defaults() {
        return new MockOptions(
                0,
                Duration.ZERO,
                DEFAULT_EVENTS,
                Duration.ZERO,
                DEFAULT_FLOOD_BYTES,
                false,
                DEFAULT_OAUTH_EXPIRES_IN,
                Map.of(),
                true,
                false,
                DEFAULT_MAX_CONCURRENT_STREAMS);
    }

    public MockOptions withPort(int value) {
        return new MockOptions(
                value,
                ttft,
                events,
                eventInterval,
                floodBytes,
                tls,
                oauthExpiresIn,
                rateLimits,
                record,
                http2,
                maxConcurrentStreams);
    }

    public MockOptions withTtft(Duration value) {
        return new MockOptions(
                port,
                value,
                events,
                eventInterval,
                floodBytes,
                tls,
                oauthExpiresIn,
                rateLimits,
                record,
                http2,
                maxConcurrentStreams);
    }

    public MockOptions withEvents(int value) {
        return new MockOptions(
                port,
                ttft,
                value,
                eventInterval,
                floodBytes,
                tls,
                oauthExpiresIn,
                rateLimits,
                record,
                http2,
                maxConcurrentStreams);
    }

    public MockOptions withEventInterval(Duration value) {
        return new MockOptions(
                port,
                ttft,
                events,
                value,
                floodBytes,
                tls,
                oauthExpiresIn,
                rateLimits,
                record,
                http2,
                maxConcurrentStreams);
    }

    public MockOptions withFloodBytes(long value) {
        return new MockOptions(
                port,
                ttft,
                events,
                eventInterval,
                value,
                tls,
                oauthExpiresIn,
                rateLimits,
                record,
                http2,
                maxConcurrentStreams);
    }

    public MockOptions withTls(boolean value) {
        return new MockOptions(
                port,
                ttft,
                events,
                eventInterval,
                floodBytes,
                value,
                oauthExpiresIn,
                rateLimits,
                record,
                http2,
                maxConcurrentStreams);
    }

    public MockOptions withOAuthExpiresIn(Duration value) {
        return new MockOptions(
                port,
                ttft,
                events,
                eventInterval,
                floodBytes,
                tls,
                value,
                rateLimits,
                record,
                http2,
                maxConcurrentStreams);
    }

    /**
     * Sends {@code value} for the rate-limit header {@code name} (see {@link #rateLimits()}), e.g.
     * {@code withRateLimit("ratelimit-unified-5h-utilization", "0.95")}.
     */
    public MockOptions withRateLimit(String name, String value) {
        Map<String, String> m = new HashMap<>(rateLimits);
        m.put(name, value);
        return new MockOptions(
                port,
                ttft,
                events,
                eventInterval,
                floodBytes,
                tls,
                oauthExpiresIn,
                m,
                record,
                http2,
                maxConcurrentStreams);
    }

    public MockOptions withRecord(boolean value) {
        return new MockOptions(
                port,
                ttft,
                events,
                eventInterval,
                floodBytes,
                tls,
                oauthExpiresIn,
                rateLimits,
                value,
                http2,
                maxConcurrentStreams);
    }

    /** Speaks HTTP/2 too (see {@link #http2()}). */
    public MockOptions withHttp2(boolean value) {
        return new MockOptions(
                port,
                ttft,
                events,
                eventInterval,
                floodBytes,
                tls,
                oauthExpiresIn,
                rateLimits,
                record,
                value,
                maxConcurrentStreams);
    }

    public MockOptions withMaxConcurrentStreams(int value) {
        return new MockOptions(
                port, ttft, events, eventInterval, floodBytes, tls, oauthExpiresIn, rateLimits, record, http2, value);
    }
}
