package io.relaygate.server.pipeline;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;

/**
 * One request head on its way through the client pipeline, from the moment it was read until its response head was
 * written: what the request log needs for a request that never became an exchange (refused by ROUTE, AUTH, SKIM or
 * LIMITS, or left by its client before ADMIT). The ledger handler in front of ROUTE makes one per head and keeps them
 * in order (HTTP/1.1 answers in order); ROUTE links the {@link RequestInfo} it made, or marks the request as one of the
 * operator's endpoints, which are not logged per request. Event-loop confined.
 */
public final class RequestTrail {

    static final AttributeKey<RequestTrail> KEY = AttributeKey.valueOf(RequestTrail.class, "requestTrail");

    public final long startNanos;
    private @Nullable RequestInfo info;
    private boolean unlogged;

    public RequestTrail(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Makes {@code trail} the one of the request head being read on {@code channel} now. */
    public static void begin(Channel channel, RequestTrail trail) {
        channel.attr(KEY).set(trail);
    }

    /** The trail of the request head being read on {@code channel}, or null (a pipeline without the ledger). */
    static @Nullable RequestTrail current(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** What ROUTE resolved, or null when it answered the request itself (unknown path, bad request). */
    public @Nullable RequestInfo info() {
        return info;
    }

    void routed(RequestInfo routed) {
        info = routed;
    }

    /** Health, readiness, metrics and the admin API: answered by ROUTE, never in the request log. */
    public boolean unlogged() {
        return unlogged;
    }

    void markUnlogged() {
        unlogged = true;
    }
}
