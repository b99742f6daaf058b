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
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tls = scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? 443 : 80);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        // A base URL given with the API version (".../v1") must not double it: routes carry /v1 themselves.
        if (path.endsWith("/v1")) {
            path = path.substring(0, path.length() - 3);
        }
        return new UpstreamTarget(tls, uri.getHost(), port, path, proxyOf(account), account.trustCertificates());
    }

    /** The Host header value. */
    String hostHeader() {
        boolean defaultPort = (tls && port == 443) || (!tls && port == 80);
        return defaultPort ? host : host + ":" + port;
    }

    private static @Nullable ProxySpec proxyOf(Account account) {
        String proxy = account.proxy();
        if (proxy == null || proxy.isBlank()) {
            return null;
        }
        URI uri = parse("proxy of account " + account.name(), proxy);
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
