package io.relaygate.core.config;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The listening side.
 *
 * @param host address to bind
 * @param port port to bind (0: ephemeral, for tests)
 * @param ioThreads event loop threads (0: Netty's default, twice the cores)
 * @param maxRequestBodyBytes largest request body accepted (413 above)
 * @param maxHeaderBytes largest request head accepted
 * @param writeBufferLowWaterMark client channel low water mark, bytes
 * @param writeBufferHighWaterMark client channel high water mark, bytes: above it upstream reads pause
 * @param idleTimeout an idle keep-alive connection is closed after this
 * @param trustedProxies peers whose {@code X-Forwarded-For} (and PROXY protocol header) name the client; from anyone
 *     else they are ignored and the socket's address is the client's
 * @param proxyProtocol whether a trusted peer may start its connections with a PROXY protocol (v1 or v2) header
 * @param drainTimeout on a stop, how long requests and streams in flight may run to completion before they are ended
 * @param requestHeadTimeout the longest a request head may take from its first byte to its end, however steadily its
 *     bytes come (a slowloris client dripping a byte inside each idle timeout): past it, 408 and the connection closes
 * @param requestBodyTimeout the longest a request body may take from the end of the head to its last byte: past it,
 *     408 in the client's format and the connection closes
 * @param publicUrl the gateway's address as clients reach it ({@code https://relaygate.example.com}), for the absolute
 *     URLs it hands out (the sign-in's issuer, endpoints and approval page, single sign-on's redirect); null: from the
 *     request, with {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} believed from trusted proxies only
 */
public record ServerConfig(
        String host,
        int port,
        int ioThreads,
        long maxRequestBodyBytes,
        int maxHeaderBytes,
        int writeBufferLowWaterMark,
        int writeBufferHighWaterMark,
        Duration idleTimeout,
        List<Cidr> trustedProxies,
        boolean proxyProtocol,
        Duration drainTimeout,
        Duration requestHeadTimeout,
        Duration requestBodyTimeout,
        @Nullable String publicUrl) {

    /** 60 seconds: a Claude Code turn in progress usually ends well within it. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(60);

    /**
     * 30 seconds for a whole request head from its first byte: a real client sends its head in one go, so only a
     * slowloris client (a byte now and then, each inside the idle timeout) gets near it.
     */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(30);
    /** 5 minutes for a whole request body from the end of its head: 32 MiB at about 110 KB/s. */
    public static final Duration DEFAULT_REQUEST_BODY_TIMEOUT = Duration.ofMinutes(5);

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 3000;
    /** 32 MiB, Anthropic's own request size limit. */
    public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 32L * 1024 * 1024;

    public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
    public static final int DEFAULT_LOW_WATER_MARK = 32 * 1024;
    public static final int DEFAULT_HIGH_WATER_MARK = 128 * 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    public static ServerConfig defaults() {
        return new ServerConfig(
                DEFAULT_HOST,
                DEFAULT_PORT,
                0,
                DEFAULT_MAX_REQUEST_BODY_BYTES,
                DEFAULT_MAX_HEADER_BYTES,
                DEFAULT_LOW_WATER_MARK,
                DEFAULT_HIGH_WATER_MARK,
                DEFAULT_IDLE_TIMEOUT,
                List.of(),
                false,
                DEFAULT_DRAIN_TIMEOUT,
                DEFAULT_REQUEST_HEAD_TIMEOUT,
                DEFAULT_REQUEST_BODY_TIMEOUT,
                null);
    }

    /** The settings before the request deadlines, which take their defaults. */
    public ServerConfig(
            String host,
            int port,
            int ioThreads,
            long maxRequestBodyBytes,
            int maxHeaderBytes,
            int writeBufferLowWaterMark,
            int writeBufferHighWaterMark,
            Duration idleTimeout,
            List<Cidr> trustedProxies,
            boolean proxyProtocol,
            Duration drainTimeout) {
        this(
                host,
                port,
                ioThreads,
                maxRequestBodyBytes,
                maxHeaderBytes,
                writeBufferLowWaterMark,
                writeBufferHighWaterMark,
                idleTimeout,
                trustedProxies,
                proxyProtocol,
                drainTimeout,
                DEFAULT_REQUEST_HEAD_TIMEOUT,
                DEFAULT_REQUEST_BODY_TIMEOUT,
                null);
    }

    public ServerConfig {
        Validation.notBlank("server.host", host);
        Validation.range("server.port", port, 0, 65535);
        Validation.range("server.ioThreads", ioThreads, 0, 1024);
        Validation.positive("server.maxRequestBodyBytes", maxRequestBodyBytes);
        if (maxRequestBodyBytes > Integer.MAX_VALUE - 8) {
            throw new ConfigException("server.maxRequestBodyBytes: " + maxRequestBodyBytes + " (expected: < 2 GiB)");
        }
        Validation.range("server.maxHeaderBytes", maxHeaderBytes, 1024, 1024 * 1024);
        Validation.positive("server.writeBufferLowWaterMark", writeBufferLowWaterMark);
        if (writeBufferHighWaterMark <= writeBufferLowWaterMark) {
            throw new ConfigException("server.writeBufferHighWaterMark: " + writeBufferHighWaterMark
                    + " (expected: > server.writeBufferLowWaterMark " + writeBufferLowWaterMark + ")");
        }
        Validation.positive("server.idleTimeout", idleTimeout);
        Validation.positive("server.requestHeadTimeout", requestHeadTimeout);
        Validation.positive("server.requestBodyTimeout", requestBodyTimeout);
        trustedProxies = List.copyOf(trustedProxies);
        if (drainTimeout.isNegative()) {
            throw new ConfigException("server.drainTimeout: " + drainTimeout + " (expected: >= 0)");
        }
        if (proxyProtocol && trustedProxies.isEmpty()) {
            throw new ConfigException(
                    "server.proxyProtocol: true (expected: server.trustedProxies naming the proxies that send it)");
        }
        publicUrl = publicUrl(publicUrl);
    }

    public ServerConfig withPort(int value) {
        return edit(e -> e.port = value);
    }

    public ServerConfig withIoThreads(int value) {
        return edit(e -> e.ioThreads = value);
    }

    public ServerConfig withTrustedProxies(List<Cidr> value, boolean proxyProtocolToo) {
        return edit(e -> {
            e.trustedProxies = value;
            e.proxyProtocol = proxyProtocolToo;
        });
    }

    public ServerConfig withDrainTimeout(Duration value) {
        return edit(e -> e.drainTimeout = value);
    }

    /** The deadlines for a whole request head (from its first byte) and a whole body (from the end of the head). */
    public ServerConfig withRequestTimeouts(Duration head, Duration body) {
        return edit(e -> {
            e.requestHeadTimeout = head;
            e.requestBodyTimeout = body;
        });
    }

    /** The same settings with the public URL {@code value} (null: from each request). */
    public ServerConfig withPublicUrl(@Nullable String value) {
        return edit(e -> e.publicUrl = value);
    }

    /** These settings with {@code change} made to a copy of them, checked like any other. */
    private ServerConfig edit(Consumer<Edit> change) {
        Edit e = new Edit(this);
        change.accept(e);
        return new ServerConfig(
                e.host,
                e.port,
                e.ioThreads,
                e.maxRequestBodyBytes,
                e.maxHeaderBytes,
                e.writeBufferLowWaterMark,
                e.writeBufferHighWaterMark,
                e.idleTimeout,
                e.trustedProxies,
                e.proxyProtocol,
                e.drainTimeout,
                e.requestHeadTimeout,
                e.requestBodyTimeout,
                e.publicUrl);
    }

    /** The components of a {@link ServerConfig}, to change one or two (the with-methods). */
    private static final class Edit {
        String host;
        int port;
        int ioThreads;
        long maxRequestBodyBytes;
        int maxHeaderBytes;
        int writeBufferLowWaterMark;
        int writeBufferHighWaterMark;
        Duration idleTimeout;
        List<Cidr> trustedProxies;
        boolean proxyProtocol;
        Duration drainTimeout;
        Duration requestHeadTimeout;
        Duration requestBodyTimeout;

        @Nullable
        String publicUrl;

        Edit(ServerConfig c) {
            host = c.host;
            port = c.port;
            ioThreads = c.ioThreads;
            maxRequestBodyBytes = c.maxRequestBodyBytes;
            maxHeaderBytes = c.maxHeaderBytes;
            writeBufferLowWaterMark = c.writeBufferLowWaterMark;
            writeBufferHighWaterMark = c.writeBufferHighWaterMark;
            idleTimeout = c.idleTimeout;
            trustedProxies = c.trustedProxies;
            proxyProtocol = c.proxyProtocol;
            drainTimeout = c.drainTimeout;
            requestHeadTimeout = c.requestHeadTimeout;
            requestBodyTimeout = c.requestBodyTimeout;
            publicUrl = c.publicUrl;
        }
    }

    /** {@code value} checked as an origin ({@code http(s)://host[:port]}, nothing after it), without a final slash. */
    private static @Nullable String publicUrl(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        v = v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
        java.net.URI uri;
        try {
            uri = new java.net.URI(v);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null
                || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getHost() == null
                || uri.getRawUserInfo() != null
                || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new ConfigException("server.publicUrl: " + value
                    + " (expected: the gateway's origin as clients reach it, such as https://relaygate.example.com)");
        }
        return v;
    }
}
