package io.relaygate.server.upstream;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Which upstream response headers reach the client: all but hop-by-hop ones and those that would mislead it. */
public final class ResponseHeaders {

    private static final Set<String> DROPPED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "transfer-encoding",
            "te",
            "trailer",
            "upgrade",
            "set-cookie",
            "alt-svc",
            "server",
            "via");

    private ResponseHeaders() {}

    public static void copy(HttpHeaders from, HttpHeaders to) {
        for (Map.Entry<String, String> e : from) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!DROPPED.contains(name) && !name.startsWith("cf-")) {
                to.add(e.getKey(), e.getValue());
            }
        }
    }
}
