package io.relaygate.server;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Scheduler;
import io.relaygate.core.catalogue.Catalogue;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.config.ServerConfig;
import io.relaygate.core.signatures.ClientSignatures;
import io.relaygate.server.exchange.AdmissionHandler;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.exchange.RequestLedgerHandler;
import io.relaygate.server.pipeline.AdminOriginCheck;
import io.relaygate.server.pipeline.AdminRoutes;
import io.relaygate.server.pipeline.ApiKeyAuthHandler;
import io.relaygate.server.pipeline.BodyAggregator;
import io.relaygate.server.pipeline.ClientAddress;
import io.relaygate.server.pipeline.ClientIdentifyHandler;
import io.relaygate.server.pipeline.Draining;
import io.relaygate.server.pipeline.ForwardedForHandler;
import io.relaygate.server.pipeline.GatewayKeepAliveHandler;
import io.relaygate.server.pipeline.KeyRulesHandler;
import io.relaygate.server.pipeline.OpsEndpoints;
import io.relaygate.server.pipeline.PipelineNames;
import io.relaygate.server.pipeline.ProxyProtocolHandler;
import io.relaygate.server.pipeline.RepeatedFailures;
import io.relaygate.server.pipeline.RequestDeadlineHandler;
import io.relaygate.server.pipeline.RequestSkimHandler;
import io.relaygate.server.pipeline.RouteHandler;
import io.relaygate.server.relay.UpstreamRelayHandler;
import io.relaygate.server.upstream.OAuthRefresher;
import io.relaygate.server.upstream.UpstreamPool;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Builds the client channel's pipeline in the order {@link PipelineNames} draws. */
final class GatewayChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_INITIAL_LINE = 16 * 1024;

    private final GatewayConfig config;
    private final ApiKeyService keys;
    private final Scheduler scheduler;
    private final Supplier<Catalogue> catalogue;
    /** The admin API behind the cross-origin check on its writes. */
    private final AdminRoutes admin;
    /** Shared by every connection: repeated auth failures from one address are summarized. */
    private final RepeatedFailures failures = new RepeatedFailures(System::nanoTime);

    private final UpstreamPool pool;
    private final ExchangeListener listener;
    private final Clock clock;
    private final LongAdder webSocketRefusals;
    private final OAuthRefresher refresher;
    private final ClientAddress addresses;
    private final Draining draining;
    /** Every open client connection, for the drain on a stop. */
    private final ChannelGroup clients;
    /** Shared; null when no proxy is trusted (then no request carries a trusted forwarded address). */
    private final @Nullable ForwardedForHandler forwarded;

    private final ClientIdentifyHandler identify;
    private final OpsEndpoints ops;

    GatewayChannelInitializer(
            GatewayConfig config,
            ApiKeyService keys,
            Scheduler scheduler,
            Supplier<Catalogue> catalogue,
            Supplier<ClientSignatures> signatures,
            AdminRoutes admin,
            UpstreamPool pool,
            ExchangeListener listener,
            Clock clock,
            LongAdder webSocketRefusals,
            OAuthRefresher refresher,
            Draining draining,
            ChannelGroup clients,
            OpsEndpoints ops) {
        this.ops = requireNonNull(ops, "ops");
        this.draining = requireNonNull(draining, "draining");
        this.clients = requireNonNull(clients, "clients");
        this.config = requireNonNull(config, "config");
        this.keys = requireNonNull(keys, "keys");
        this.scheduler = requireNonNull(scheduler, "scheduler");
        this.catalogue = requireNonNull(catalogue, "catalogue");
        this.admin = new AdminOriginCheck(requireNonNull(admin, "admin"));
        this.pool = requireNonNull(pool, "pool");
        this.listener = requireNonNull(listener, "listener");
        this.clock = requireNonNull(clock, "clock");
        this.webSocketRefusals = requireNonNull(webSocketRefusals, "webSocketRefusals");
        this.refresher = requireNonNull(refresher, "refresher");
        this.addresses = new ClientAddress(config.server().trustedProxies());
        this.forwarded = config.server().trustedProxies().isEmpty() ? null : new ForwardedForHandler(addresses);
        this.identify = new ClientIdentifyHandler(config.logging(), signatures);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        clients.add(ch);
        addClientAddress(ch);
        addHttpCodec(p);
        if (forwarded != null) {
            p.addLast(PipelineNames.FORWARDED, forwarded);
        }
        p.addLast(PipelineNames.LEDGER, new RequestLedgerHandler(listener));
        addRouteAndAuth(p);
        addBody(p);
        addRelay(p);
    }

    /** A trusted proxy may open its connections with a PROXY protocol header naming the client. */
    private void addClientAddress(SocketChannel ch) {
        if (config.server().proxyProtocol() && addresses.trusts(ch.remoteAddress())) {
            ch.pipeline().addLast(PipelineNames.PROXY_PROTOCOL, new ProxyProtocolHandler());
        }
    }

    private void addHttpCodec(ChannelPipeline p) {
        ServerConfig server = config.server();
        p.addLast(
                PipelineNames.IDLE,
                new IdleStateHandler(0, 0, server.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        RequestDeadlineHandler deadline =
                new RequestDeadlineHandler(server.requestHeadTimeout(), server.requestBodyTimeout());
        p.addLast(PipelineNames.REQUEST_START, deadline.start());
        p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(MAX_INITIAL_LINE, server.maxHeaderBytes(), 64 * 1024));
        p.addLast(PipelineNames.REQUEST_DEADLINE, deadline);
        p.addLast(PipelineNames.KEEP_ALIVE, new GatewayKeepAliveHandler(draining));
    }

    private void addRouteAndAuth(ChannelPipeline p) {
        p.addLast(
                PipelineNames.ROUTE,
                new RouteHandler(config.server().maxRequestBodyBytes(), admin, webSocketRefusals, ops));
        p.addLast(PipelineNames.AUTH, new ApiKeyAuthHandler(keys, clock, failures));
    }

    private void addBody(ChannelPipeline p) {
        p.addLast(PipelineNames.AGGREGATOR, new BodyAggregator((int)
                config.server().maxRequestBodyBytes()));
        p.addLast(PipelineNames.SKIM, new RequestSkimHandler());
        p.addLast(PipelineNames.IDENTIFY, identify);
        p.addLast(PipelineNames.LIMITS, new KeyRulesHandler(catalogue));
    }

    private void addRelay(ChannelPipeline p) {
        p.addLast(
                PipelineNames.ADMIT,
                new AdmissionHandler(
                        scheduler,
                        refresher,
                        catalogue,
                        listener,
                        config.upstream().maxAttempts(),
                        draining));
        p.addLast(PipelineNames.RELAY, new UpstreamRelayHandler(pool, config.upstream()));
    }
}
