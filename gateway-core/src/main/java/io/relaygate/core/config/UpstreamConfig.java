package io.relaygate.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 * @param http2 offer HTTP/2 ({@code h2}) by ALPN on TLS upstreams; an upstream that does not choose it is spoken to in
 *     HTTP/1.1 as before
 * @param h2c origins ({@code http://host:port}) of plain-HTTP upstreams that speak HTTP/2 with prior knowledge (RFC
 *     9113 section 3.3): an account opts in when its base URL's origin is listed; stored normalised (lower-case host,
 *     explicit port)
 */
public record UpstreamConfig(
        Duration connectTimeout,
        Duration responseTimeout,
        Duration idleTimeout,
        int maxIdleConnectionsPerHost,
        int maxErrorBodyBytes,
        int maxAttempts,
        Duration streamKeepAlive,
        boolean http2,
        List<String> h2c) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Ten minutes: Claude Code's own request timeout (X-Stainless-Timeout: 600). */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofMinutes(10);

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_IDLE_CONNECTIONS_PER_HOST = 32;
    public static final int DEFAULT_MAX_ERROR_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    /** Fifteen seconds: well under nginx's 60 s proxy_read_timeout and common load-balancer idle limits. */
    public static final Duration DEFAULT_STREAM_KEEP_ALIVE = Duration.ofSeconds(15);
    /** The real upstreams (Anthropic, OpenAI, Bedrock, Vertex) speak HTTP/2: offered by default. */
    public static final boolean DEFAULT_HTTP2 = true;

    /** The settings before HTTP/2: ALPN offers {@code h2} ({@link #DEFAULT_HTTP2}), no h2c origins. */
    public UpstreamConfig(
            Duration connectTimeout,
            Duration responseTimeout,
            Duration idleTimeout,
            int maxIdleConnectionsPerHost,
            int maxErrorBodyBytes,
            int maxAttempts,
            Duration streamKeepAlive) {
        this(
                connectTimeout,
                responseTimeout,
                idleTimeout,
                maxIdleConnectionsPerHost,
                maxErrorBodyBytes,
                maxAttempts,
                streamKeepAlive,
                DEFAULT_HTTP2,
                List.of());
    }

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
        List<String> origins = new ArrayList<>();
        for (String o : h2c) {
            origins.add(origin("upstream.h2c", o));
        }
        h2c = List.copyOf(origins);
    }

    /** {@code http://host:port} of {@code value}, a plain-HTTP origin; refuses anything else, naming {@code setting}. */
    public static String origin(String setting, String value) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new ConfigException(setting + ": " + value + " (expected: http://host:port)");
        }
        String path = uri.getRawPath();
        if (!"http".equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null
                || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null
                || (path != null && !path.isEmpty() && !path.equals("/"))) {
            throw new ConfigException(
                    setting + ": " + value + " (expected: http://host:port, a plain-HTTP origin without a path)");
        }
        return "http://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + (uri.getPort() > 0 ? uri.getPort() : 80);
    }

    /** Whether a plain-HTTP upstream at {@code host}:{@code port} is listed in {@link #h2c()}. */
    public boolean h2c(String host, int port) {
        if (h2c.isEmpty()) {
            return false;
        }
        return h2c.contains("http://" + host.toLowerCase(Locale.ROOT) + ":" + port);
    }

    /** The same settings with HTTP/2 offered by ALPN or not, and these h2c origins. */
    public UpstreamConfig withHttp2(boolean alpn, List<String> h2cOrigins) {
        return new UpstreamConfig(
                connectTimeout,
                responseTimeout,
                idleTimeout,
                maxIdleConnectionsPerHost,
                maxErrorBodyBytes,
                maxAttempts,
                streamKeepAlive,
                alpn,
                h2cOrigins);
    }

    public UpstreamConfig withTimeouts(Duration connect, Duration response, Duration idle) {
        return new UpstreamConfig(
                connect,
                response,
                idle,
                maxIdleConnectionsPerHost,
                maxErrorBodyBytes,
                maxAttempts,
                streamKeepAlive,
                http2,
                h2c);
    }

    public UpstreamConfig withStreamKeepAlive(Duration interval) {
        return new UpstreamConfig(
                connectTimeout,
                responseTimeout,
                idleTimeout,
                maxIdleConnectionsPerHost,
                maxErrorBodyBytes,
                maxAttempts,
                interval,
                http2,
                h2c);
    }
}
