package io.relaygate.core.config;

import java.time.Duration;

/**
 * How the gateway talks to upstream accounts.
 *
 * @param connectTimeout TCP (and proxy, TLS) connect limit
 * @param responseTimeout from request sent to response head received
 * @param idleTimeout longest silence between two reads of a streaming response
 * @param maxIdleConnectionsPerHost pooled keep-alive connections kept per event loop and upstream host
 * @param maxErrorBodyBytes largest upstream error body read to classify and relay it
 * @param maxAttempts accounts tried for one request before the client gets the last error
 */
public record UpstreamConfig(
        Duration connectTimeout,
        Duration responseTimeout,
        Duration idleTimeout,
        int maxIdleConnectionsPerHost,
        int maxErrorBodyBytes,
        int maxAttempts) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Ten minutes: Claude Code's own request timeout (X-Stainless-Timeout: 600). */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofMinutes(10);

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST = 32;
    public static final int DEFAULT_MAX_ERROR_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    public static UpstreamConfig defaults() {
        return new UpstreamConfig(
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_RESPONSE_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST,
                DEFAULT_MAX_ERROR_BODY_BYTES,
                DEFAULT_MAX_ATTEMPTS);
    }

    public UpstreamConfig {
        Validation.positive("upstream.connectTimeout", connectTimeout);
        Validation.positive("upstream.responseTimeout", responseTimeout);
        Validation.positive("upstream.idleTimeout", idleTimeout);
        Validation.range("upstream.maxIdleConnectionsPerHost", maxIdleConnectionsPerHost, 0, 10_000);
        Validation.range("upstream.maxErrorBodyBytes", maxErrorBodyBytes, 1024, 16 * 1024 * 1024);
        Validation.range("upstream.maxAttempts", maxAttempts, 1, 10);
    }

    public UpstreamConfig withTimeouts(Duration connect, Duration response, Duration idle) {
        return new UpstreamConfig(connect, response, idle, maxIdleConnectionsPerHost, maxErrorBodyBytes, maxAttempts);
    }
}
