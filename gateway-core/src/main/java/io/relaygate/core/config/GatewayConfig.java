package io.relaygate.core.config;

import static java.util.Objects.requireNonNull;

/** The whole configuration: one immutable tree, bound and validated once at start and passed down. */
public record GatewayConfig(
        ServerConfig server,
        StoreConfig store,
        UpstreamConfig upstream,
        SchedulingConfig scheduling,
        LoggingConfig logging,
        MetricsConfig metrics) {

    public GatewayConfig {
        requireNonNull(server, "server");
        requireNonNull(store, "store");
        requireNonNull(upstream, "upstream");
        requireNonNull(scheduling, "scheduling");
        requireNonNull(logging, "logging");
        requireNonNull(metrics, "metrics");
        if (metrics.enabled() && metrics.requireToken() && scheduling.adminToken() == null) {
            throw new ConfigException(
                    "metrics.requireToken: true (expected: a scheduling.adminToken, RELAYGATE_ADMIN_TOKEN, to require)");
        }
    }

    /** The tree with the default metrics settings. */
    public GatewayConfig(
            ServerConfig server,
            StoreConfig store,
            UpstreamConfig upstream,
            SchedulingConfig scheduling,
            LoggingConfig logging) {
        this(server, store, upstream, scheduling, logging, MetricsConfig.defaults());
    }

    public GatewayConfig withServer(ServerConfig value) {
        return new GatewayConfig(value, store, upstream, scheduling, logging, metrics);
    }

    public GatewayConfig withStore(StoreConfig value) {
        return new GatewayConfig(server, value, upstream, scheduling, logging, metrics);
    }

    public GatewayConfig withUpstream(UpstreamConfig value) {
        return new GatewayConfig(server, store, value, scheduling, logging, metrics);
    }

    public GatewayConfig withScheduling(SchedulingConfig value) {
        return new GatewayConfig(server, store, upstream, value, logging, metrics);
    }

    public GatewayConfig withLogging(LoggingConfig value) {
        return new GatewayConfig(server, store, upstream, scheduling, value, metrics);
    }

    public GatewayConfig withMetrics(MetricsConfig value) {
        return new GatewayConfig(server, store, upstream, scheduling, logging, value);
    }
}
