package io.relaygate.core.config;

import static java.util.Objects.requireNonNull;

/** The whole configuration: one immutable tree, bound and validated once at start and passed down. */
public record GatewayConfig(
        ServerConfig server, StoreConfig store, UpstreamConfig upstream, SchedulingConfig scheduling) {

    public GatewayConfig {
        requireNonNull(server, "server");
        requireNonNull(store, "store");
        requireNonNull(upstream, "upstream");
        requireNonNull(scheduling, "scheduling");
    }

    public GatewayConfig withServer(ServerConfig value) {
        return new GatewayConfig(value, store, upstream, scheduling);
    }

    public GatewayConfig withStore(StoreConfig value) {
        return new GatewayConfig(server, value, upstream, scheduling);
    }

    public GatewayConfig withUpstream(UpstreamConfig value) {
        return new GatewayConfig(server, store, value, scheduling);
    }

    public GatewayConfig withScheduling(SchedulingConfig value) {
        return new GatewayConfig(server, store, upstream, value);
    }
}
