package io.relaygate.core.config;

import static java.util.Objects.requireNonNull;

/** The whole configuration: one immutable tree, bound and validated once at start and passed down. */
public record GatewayConfig(
        ServerConfig server,
        StoreConfig store,
        UpstreamConfig upstream,
        SchedulingConfig scheduling,
        LoggingConfig logging) {

    public GatewayConfig {
        requireNonNull(server, "server");
        requireNonNull(store, "store");
        requireNonNull(upstream, "upstream");
        requireNonNull(scheduling, "scheduling");
        requireNonNull(logging, "logging");
    }

    public GatewayConfig withServer(ServerConfig value) {
        return new GatewayConfig(value, store, upstream, scheduling, logging);
    }

    public GatewayConfig withStore(StoreConfig value) {
        return new GatewayConfig(server, value, upstream, scheduling, logging);
    }

    public GatewayConfig withUpstream(UpstreamConfig value) {
        return new GatewayConfig(server, store, value, scheduling, logging);
    }

    public GatewayConfig withScheduling(SchedulingConfig value) {
        return new GatewayConfig(server, store, upstream, value, logging);
    }

    public GatewayConfig withLogging(LoggingConfig value) {
        return new GatewayConfig(server, store, upstream, scheduling, value);
    }
}
