package io.relaygate.bench.mock;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One request the mock received and what it answered, as a snapshot.
 *
 * @param method request method
 * @param uri request URI as received (path and query)
 * @param headers request headers in arrival order, names as sent
 * @param body the exact request body bytes
 * @param scenario the scenario that answered
 * @param status response status (0 while none was sent)
 * @param responseBody the exact response body bytes written so far (recording stops after
 *     {@link MockUpstream#MAX_RECORDED_BYTES}; {@code responseLength} keeps counting)
 * @param responseLength response body bytes written so far
 * @param completed the whole response was written
 * @param cancelled the peer closed the connection (or reset the stream) before the response was complete
 * @param protocol {@code http/1.1}, {@code h2} (HTTP/2 over TLS) or {@code h2c} (HTTP/2 over plain TCP)
 * @param connection an id of the TCP connection the exchange came over (HTTP/2 streams of one connection share it)
 */
public record RecordedExchange(
        String method,
        String uri,
        List<Map.Entry<String, String>> headers,
        byte[] body,
        String scenario,
        int status,
        byte[] responseBody,
        long responseLength,
        boolean completed,
        boolean cancelled,
        String protocol,
        String connection) {

    public RecordedExchange {
        requireNonNull(method, "method");
        requireNonNull(uri, "uri");
        headers = List.copyOf(headers);
        requireNonNull(body, "body");
        requireNonNull(scenario, "scenario");
        requireNonNull(responseBody, "responseBody");
        requireNonNull(protocol, "protocol");
        requireNonNull(connection, "connection");
    }

    /** The first value of header {@code name}, case-insensitive, or null. */
    public @Nullable String header(String name) {
        for (Map.Entry<String, String> e : headers) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}
