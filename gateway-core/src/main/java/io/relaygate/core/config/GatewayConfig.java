package io.relaygate.core.config;

import static java.util.Objects.requireNonNull;

/** The whole configuration: one immutable tree, bound and validated once at start and passed down. */
public record GatewayConfig(ServerConfig server, StoreConfig store, UpstreamConfig upstream) {

    public GatewayConfig {
        requireNonNull(server, "server");
        requireNonNull(store, "store");
        requireNonNull(upstream, "upstream");
    }

    public GatewayConfig withServer(ServerConfig value) {
        return new GatewayConfig(value, store, upstream);
    }

    public GatewayConfig withStore(StoreConfig value) {
        return new GatewayConfig(server, value, upstream);
    }

    public GatewayConfig withUpstream(UpstreamConfig value) {
        return new GatewayConfig(server, store, value);
    }
}
