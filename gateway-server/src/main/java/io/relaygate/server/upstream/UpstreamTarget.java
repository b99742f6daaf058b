package io.relaygate.server.upstream;

import io.relaygate.core.Account;
import io.relaygate.core.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where an account's requests go: scheme, host, port and base path of its base URL, plus its optional proxy. Equal
 * targets share pooled connections.
 */
public record UpstreamTarget(
        boolean tls,
        String host,
        int port,
        String basePath,
        @Nullable ProxySpec proxy,
        @Nullable String trustCertificates) {

    /** A {@code socks5://} or {@code http://} proxy, with optional credentials. */
    record ProxySpec(
            boolean socks,
            String host,
            int port,
            @Nullable String username,
            @Nullable String password) {

        @Override
        public String toString() {
            return (socks ? "socks5://" : "http://") + (username == null ? "" : "***@") + host + ":" + port;
        }
    }

    public static UpstreamTarget of(Account account) {
        URI uri = parse("base-url of account " + account.name(), account.baseUrl());
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        // A base URL given with the API version (".../v1") must not double it: routes carry /v1 themselves.
        if (path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        return of(
                uri, path, proxyOf("proxy of account " + account.name(), account.proxy()), account.trustCertificates());
    }

    /**
     * The target of one whole endpoint URL (an OAuth token endpoint), reached through {@code proxy} and trusting
     * {@code trustCertificates} the way an account's requests are; {@link #basePath()} is the URL's path and query.
     *
     * @param what names the URL in errors, e.g. "token endpoint of account max"
     * @throws IllegalArgumentException naming {@code what} when the URL or the proxy is not a valid URL
     */
    public static UpstreamTarget ofEndpoint(
            String what, String url, @Nullable String proxy, @Nullable String trustCertificates) {
        URI uri = parse(what, url);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        return of(uri, path, proxyOf("proxy of " + what, proxy), trustCertificates);
    }

    private static UpstreamTarget of(
            URI uri, String path, @Nullable ProxySpec proxy, @Nullable String trustCertificates) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
        return new UpstreamTarget(tls, uri.getHost(), port, path, proxy, trustCertificates);
    }

    /** The Host header value. */
    String hostHeader() {
        boolean defaultPort = (tls && port == 443) || (!tls && port == 80);
        return defaultPort ? host : host + ":" + port;
    }

    private static @Nullable ProxySpec proxyOf(String what, @Nullable String proxy) {
        if (proxy == null || proxy.isBlank()) {
            return null;
        }
        URI uri = parse(what, proxy);
        boolean socks = uri.getScheme().toLowerCase(Locale.ROOT).startsWith("socks");
        int port = uri.getPort() > 0 ? uri.getPort() : (socks ? 1080 : 8080);
        String user = null;
        String pass = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getUserInfo().split(":", 2);
            user = parts[0];
            pass = parts.length > 1 ? parts[1] : "";
        }
        return new ProxySpec(socks, uri.getHost(), port, user, pass);
    }

    private static URI parse(String what, String value) {
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        what + ": " + Secrets.redactUrl(value) + " (expected: scheme://host[:port])");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(what + ": " + Secrets.redactUrl(value) + " is not a valid URL");
        }
    }
}
