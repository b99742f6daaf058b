package io.relaygate.server.pipeline;

import static java.util.Objects.requireNonNull;

import io.netty.util.AttributeKey;
import io.relaygate.core.ApiKey;
import io.relaygate.core.ClientKind;
import io.relaygate.core.Ids;
import io.relaygate.core.Route;
import org.jspecify.annotations.Nullable;

/**
 * What the pipeline learned about the request in flight on a connection. Made by {@link RouteHandler} for each request
 * head, completed by {@link ApiKeyAuthHandler}, read by the handlers after them. Event-loop confined.
 */
public final class RequestInfo {

    static final AttributeKey<RequestInfo> KEY = AttributeKey.valueOf(RequestInfo.class, "requestInfo");

    public final String id;
    public final Route route;
    final String uri;
    public final long startNanos;
    /** The client's address ({@link ClientAddress}), for logs and rules. */
    public final String clientAddress;

    @Nullable
    ApiKey apiKey;
    /** A model-list caller that wants OpenAI's shape (under /openai, or without an anthropic-version header). */
    public boolean openAiCaller;

    /** The key AUTH found but refused (disabled, expired), for the request log; null otherwise. */
    @Nullable
    ApiKey refusedKey;
    /** The model SKIM read, once it did. */
    @Nullable
    String model;
    /** The client IDENTIFY recognised, once it did. */
    ClientKind client = ClientKind.OTHER;

    @Nullable
    String clientVersion;

    /** Whether ADMIT made an exchange of this request (which then reports its own outcome). */
    private boolean admitted;

    public RequestInfo(Route route, String uri, long startNanos) {
        this(route, uri, startNanos, "unknown");
    }

    public RequestInfo(Route route, String uri, long startNanos, String clientAddress) {
        this.id = "req_" + Ids.unique(20);
        this.route = requireNonNull(route, "route");
        this.uri = requireNonNull(uri, "uri");
        this.startNanos = startNanos;
        this.clientAddress = requireNonNull(clientAddress, "clientAddress");
    }

    /** AUTH found {@code key} for this request. */
    public void authenticatedAs(ApiKey key) {
        apiKey = requireNonNull(key, "key");
    }

    public ApiKey key() {
        ApiKey k = apiKey;
        if (k == null) {
            throw new IllegalStateException("request " + id + " reached a handler after AUTH without a key");
        }
        return k;
    }

    /** The key presented with the request, accepted or refused, or null when none was found. */
    public @Nullable ApiKey presentedKey() {
        return apiKey != null ? apiKey : refusedKey;
    }

    public @Nullable String model() {
        return model;
    }

    public ClientKind client() {
        return client;
    }

    public @Nullable String clientVersion() {
        return clientVersion;
    }

    /** ADMIT made an exchange of this request: its outcome is the exchange's to report. */
    public void admitted() {
        admitted = true;
    }

    public boolean isAdmitted() {
        return admitted;
    }

    /** The query string of the request URI including {@code ?}, or empty. */
    public String query() {
        int q = uri.indexOf('?');
        return q < 0 ? "" : uri.substring(q);
    }
}
