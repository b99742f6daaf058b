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
 * @param streamKeepAlive after this much silence towards a streaming client while the upstream is still connected,
 *     the gateway sends a keep-alive (an Anthropic {@code ping} event, or an SSE comment for OpenAI clients) so that
 *     proxies and load balancers do not cut the stream during long thinking phases
 */
public record UpstreamConfig(
        Duration connectTimeout,
        Duration responseTimeout,
        Duration idleTimeout,
        int maxIdleConnectionsPerHost,
        int maxErrorBodyBytes,
        int maxAttempts,
        Duration streamKeepAlive) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Ten minutes: Claude Code's own request timeout (X-Stainless-Timeout: 600). */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofMinutes(10);

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST = 32;
    public static final int DEFAULT_MAX_ERROR_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Fifteen seconds: well under nginx's 60 s proxy_read_timeout and common load-balancer idle limits. */
    public static final Duration DEFAULT_STREAM_KEEP_ALIVE = Duration.ofSeconds(15);

    public static UpstreamConfig defaults() {
        return new UpstreamConfig(
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_RESPONSE_TIMEOUT,
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST,
                DEFAULT_MAX_ERROR_BODY_BYTES,
                DEFAULT_MAX_ATTEMPTS,
                DEFAULT_STREAM_KEEP_ALIVE);
    }

    public UpstreamConfig {
        Validation.positive("upstream.connectTimeout", connectTimeout);
        Validation.positive("upstream.responseTimeout", responseTimeout);
        Validation.positive("upstream.idleTimeout", idleTimeout);
        Validation.range("upstream.maxIdleConnectionsPerHost", maxIdleConnectionsPerHost, 0, 10_000);
        Validation.range("upstream.maxErrorBodyBytes", maxErrorBodyBytes, 1024, 16 * 1024 * 1024);
        Validation.range("upstream.maxAttempts", maxAttempts, 1, 10);
        Validation.positive("upstream.streamKeepAlive", streamKeepAlive);
    }

    public UpstreamConfig withTimeouts(Duration connect, Duration response, Duration idle) {
        return new UpstreamConfig(
                connect, response, idle, maxIdleConnectionsPerHost, maxErrorBodyBytes, maxAttempts, streamKeepAlive);
    }

    public UpstreamConfig withStreamKeepAlive(Duration interval) {
        return new UpstreamConfig(
                connectTimeout,
                responseTimeout,
                idleTimeout,
                maxIdleConnectionsPerHost,
                maxErrorBodyBytes,
                maxAttempts,
                interval);
    }
}
