package io.relaygate.server;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.relaygate.accounts.AccountSelector;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.StoreBudget;
import io.relaygate.accounts.StoreChangeListener;
import io.relaygate.accounts.UsageRecorder;
import io.relaygate.accounts.ledger.RequestLog;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.config.ServerConfig;
import io.relaygate.server.admin.AdminApi;
import io.relaygate.server.exchange.AdmissionHandler;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.exchange.ExchangeListeners;
import io.relaygate.server.metrics.GatewayMetrics;
import io.relaygate.server.pipeline.Draining;
import io.relaygate.server.pipeline.OpsEndpoints;
import io.relaygate.server.pipeline.Readiness;
import io.relaygate.server.pipeline.StoreProbe;
import io.relaygate.server.upstream.OAuthRefresher;
import io.relaygate.server.upstream.TokenEndpoint;
import io.relaygate.server.upstream.Transports;
import io.relaygate.server.upstream.UpstreamPool;
import io.relaygate.server.usage.AccessLog;
import io.relaygate.server.usage.RequestRecordListener;
import io.relaygate.server.usage.UsageListener;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: one listening socket, a boss and a worker event loop group (epoll where available), and the
 * upstream pool sharing the workers. Start with {@link #start(GatewayConfig, Store)}; {@link #close()} stops it. The
 * store is the caller's to close.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(GatewayServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final String transport;

    /** After the drain time, how long the ended exchanges get to report before the event loops stop. */
    private static final Duration DEADLINE_GRACE = Duration.ofSeconds(2);

    private static final long DRAIN_POLL_MILLIS = 20;

    private final UsageRecorder recorder;
    private final RequestLog requestLog;
    private final LongAdder webSocketRefusals;
    private final Draining draining;
    private final ChannelGroup clients;
    private final Readiness readiness;
    private final @Nullable GatewayMetrics metrics;
    /** This gateway's caches listening to the store's change channel (admin changes from any instance). */
    private final AutoCloseable storeChanges;
    /** The store's connections on the workers ({@link Store#runOn}): closed before the workers stop. */
    private final AutoCloseable storeLoops;

    private GatewayServer(
            EventLoopGroup boss,
            EventLoopGroup workers,
            Channel serverChannel,
            String transport,
            UsageRecorder recorder,
            RequestLog requestLog,
            LongAdder webSocketRefusals,
            Draining draining,
            ChannelGroup clients,
            Readiness readiness,
            @Nullable GatewayMetrics metrics,
            AutoCloseable storeChanges,
            AutoCloseable storeLoops) {
        this.storeChanges = storeChanges;
        this.storeLoops = storeLoops;
        this.draining = draining;
        this.clients = clients;
        this.readiness = readiness;
        this.metrics = metrics;
        this.recorder = recorder;
        this.requestLog = requestLog;
        this.webSocketRefusals = webSocketRefusals;
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.transport = transport;
    }

    /** Starts a gateway with the defaults: pooled buffers, system clock, access log. */
    public static GatewayServer start(GatewayConfig config, Store store) {
        return builder(config, store).start();
    }

    public static Builder builder(GatewayConfig config, Store store) {
        return new Builder(config, store);
    }

    /** The port it listens on (the real one when the config asked for port 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** WebSocket upgrades on the Responses route answered 426 (Codex's built-in provider tries them first). */
    public long webSocketRefusals() {
        return webSocketRefusals.sum();
    }

    /** What {@code /readyz} answers from: the store probe is in it; add a check to take the instance out (drain). */
    public Readiness readiness() {
        return readiness;
    }

    /** {@code epoll} or {@code nio}. */
    public String transport() {
        return transport;
    }

    /** Blocks until the server channel closes. */
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().await();
    }

    /**
     * Stops gracefully: {@code /readyz} answers 503 and the listener closes at once, idle connections close, the
     * exchanges in flight run to completion for up to {@code timeout}; then whatever still runs ends with an error in
     * its client's format (never recorded against an account). Returns when no exchange is left; {@link #close()}
     * follows, which flushes the usage.
     */
    public void drain(Duration timeout) {
        if (!draining.start()) {
            return;
        }
        logger.info("stopping: {} requests in flight may run for up to {}", draining.inFlight(), timeout);
        serverChannel.close().syncUninterruptibly();
        clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(Draining.Event.STOP));
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean idle = awaitIdle(timeout);
        if (idle) {
            // Idle connections close themselves after their grace (a request that comes on one meanwhile is served
            // with Connection: close); closing them here, sooner, could cut one under a request a proxy is sending.
            long quietUntil = Math.min(
                    deadline,
                    System.nanoTime()
                            + TimeUnit.MILLISECONDS.toNanos(
                                    AdmissionHandler.IDLE_CLOSE_GRACE_MILLIS + DRAIN_POLL_MILLIS * 10));
            while ((!clients.isEmpty() || draining.inFlight() > 0) && System.nanoTime() < quietUntil) {
                try {
                    Thread.sleep(DRAIN_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            idle = awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        if (!idle) {
            logger.warn("stopping: {} requests still in flight after {}; ending them", draining.inFlight(), timeout);
            clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(Draining.Event.DEADLINE));
            awaitIdle(DEADLINE_GRACE);
        }
    }

    private boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (draining.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(DRAIN_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return draining.inFlight() == 0;
    }

    /** Exchanges in flight (for the drain and tests). */
    public int inFlight() {
        return draining.inFlight();
    }

    @Override
    public void close() {
        try {
            storeChanges.close();
        } catch (Exception e) {
            logger.debug("unsubscribing from store changes failed: {}", e.toString());
        }
        serverChannel.close().syncUninterruptibly();
        closeStoreLoops(storeLoops);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boss.terminationFuture().syncUninterruptibly();
        workers.terminationFuture().syncUninterruptibly();
        // after the last exchange ended: its usage is in the recorder, which writes what waits before it stops
        recorder.close();
        requestLog.close();
        GatewayMetrics m = metrics;
        if (m != null) {
            m.close();
        }
    }

    /**
     * Closes the store's connections on the workers while the workers still run (a channel closes on its loop); calls
     * from then on, such as those of exchanges the shutdown cuts, go over the store's own connection.
     */
    private static void closeStoreLoops(AutoCloseable storeLoops) {
        try {
            storeLoops.close();
        } catch (Exception e) {
            logger.debug("closing the store's connections on the event loops failed: {}", e.toString());
        }
    }

    /** Options mostly tests set: the buffer allocator, the clock, extra exchange listeners. */
    public static final class Builder {
        private final GatewayConfig config;
        private final Store store;
        private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private java.time.Duration accountViewTtl = Scheduler.VIEW_TTL;
        private java.time.Duration accessTokenTtl = io.relaygate.server.signin.SignInSettings.ACCESS_TOKEN_TTL;
        private final List<ExchangeListener> listeners = new ArrayList<>();
        private io.relaygate.server.signin.@org.jspecify.annotations.Nullable SsoSettings sso;

        private Builder(GatewayConfig config, Store store) {
            this.config = requireNonNull(config, "config");
            this.store = requireNonNull(store, "store");
            listeners.add(new AccessLog(config.logging().accessLogFormat()));
        }

        /** The allocator of client and upstream channels (a test gives a private one to measure the gateway alone). */
        public Builder allocator(ByteBufAllocator value) {
            this.allocator = requireNonNull(value, "allocator");
            return this;
        }

        /** How long a gateway reuses its view of account conditions (tests that clear them set 0). */
        public Builder accountViewTtl(java.time.Duration value) {
            this.accountViewTtl = requireNonNull(value, "accountViewTtl");
            return this;
        }

        /** How long a signed-in access token is accepted (tests shorten it to see Claude Code refresh). */
        public Builder accessTokenTtl(java.time.Duration value) {
            this.accessTokenTtl = requireNonNull(value, "accessTokenTtl");
            return this;
        }

        /** Single sign-on with the team's OpenID Connect provider on the device approval page. */
        public Builder sso(io.relaygate.server.signin.SsoSettings value) {
            this.sso = requireNonNull(value, "sso");
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = requireNonNull(value, "clock");
            return this;
        }

        public Builder exchangeListener(ExchangeListener value) {
            listeners.add(requireNonNull(value, "listener"));
            return this;
        }

        /**
         * The usage recorder, journalling under {@code store.dataDir} unless that is off or the journal is in use by
         * another instance there (then without: usage of a killed instance may be lost, said in the log).
         */
        private static UsageRecorder newRecorder(GatewayConfig config, Store store) {
            if (config.scheduling().usageJournal()) {
                java.nio.file.Path dir = config.store().dataDir().resolve("usage-journal");
                try {
                    return new UsageRecorder(store.state(), dir);
                } catch (java.io.UncheckedIOException e) {
                    logger.warn(
                            "usage journal off: {}; usage of this instance is lost if it is killed",
                            io.relaygate.core.Secrets.redact(String.valueOf(e.getMessage())));
                }
            }
            return new UsageRecorder(store.state());
        }

        public GatewayServer start() {
            ServerConfig server = config.server();
            Transports transports = Transports.detect();
            EventLoopGroup boss = transports.newGroup(1, "relaygate-accept");
            EventLoopGroup workers = transports.newGroup(server.ioThreads(), "relaygate-io");
            UsageRecorder recorder = null;
            RequestLog requestLog = null;
            GatewayMetrics metrics = null;
            AutoCloseable storeLoops = null;
            try {
                // first, before any call of the store: a call made on a worker then runs on the worker's own connection
                storeLoops = store.runOn(workers, transports.socketChannel());
                OperatorData data = OperatorData.of(config, store);
                recorder = newRecorder(config, store);
                List<ExchangeListener> all = new ArrayList<>(listeners);
                all.add(0, new UsageListener(recorder, clock));
                requestLog = new RequestLog(store.requests());
                all.add(new RequestRecordListener(requestLog, clock));
                UsageRecorder started = recorder;
                UpstreamPool pool =
                        new UpstreamPool(transports, config.upstream(), UpstreamPool.defaultTls(), allocator);
                // OAuth token calls go like upstream requests: the account's proxy and TLS, on the workers
                TokenEndpoint tokens = new TokenEndpoint(pool, workers);
                // a slow store holds no request longer than this per read (scheduling.storeBudget)
                StoreBudget storeBudget = new StoreBudget(config.scheduling().storeBudget());
                io.relaygate.accounts.people.SignInTokens signInTokens =
                        io.relaygate.server.signin.SignInSettings.tokens(store, clock, accessTokenTtl);
                io.relaygate.accounts.people.DeviceGrants deviceGrants =
                        io.relaygate.server.signin.SignInSettings.grants(store, clock);
                ApiKeyService keys = ApiKeyService.builder(store.keys())
                        .staleFor(config.scheduling().staleFor())
                        .budget(storeBudget)
                        .signIns(signInTokens)
                        .build();
                Scheduler scheduler = new Scheduler(
                        new AccountSelector(
                                store.accounts(),
                                com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
                                accountViewTtl.isZero() ? accountViewTtl : AccountSelector.DEFAULT_CACHE_TTL,
                                config.scheduling().staleFor(),
                                storeBudget),
                        store.state(),
                        config.scheduling(),
                        clock,
                        com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
                        accountViewTtl);
                Draining draining = new Draining();
                // draining first: while both hold, /readyz names the stop, which is what the operator did
                Readiness readiness = new Readiness().add(Readiness.drainingCheck(draining));
                StoreProbe probe = new StoreProbe(
                        store, System::nanoTime, StoreProbe.DEFAULT_INTERVAL, StoreProbe.DEFAULT_TIMEOUT);
                readiness.add(probe);
                metrics = config.metrics().enabled()
                        ? new GatewayMetrics(config.metrics(), allocator, scheduler, recorder, readiness)
                        : null;
                if (metrics != null) {
                    // first: a listener after it (a test's) then sees the counters already moved
                    all.add(0, metrics.listener());
                    store.observeCommands(metrics.commandObserver());
                }
                // after the command observer is set: the start-up PING is measured too
                probe.probeNow();
                ExchangeListener listener = ExchangeListeners.of(all);
                OpsEndpoints ops = new OpsEndpoints(
                        readiness,
                        metrics,
                        config.metrics().requireToken() ? config.scheduling().adminToken() : null);
                AutoCloseable changes =
                        OperatorData.closeAll(StoreChangeListener.subscribe(store, keys, scheduler), data.start(store));
                ServerBootstrap b = new ServerBootstrap()
                        .group(boss, workers)
                        .channel(transports.serverChannel())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childOption(ChannelOption.ALLOCATOR, allocator)
                        .childOption(
                                ChannelOption.WRITE_BUFFER_WATER_MARK,
                                new WriteBufferWaterMark(
                                        server.writeBufferLowWaterMark(), server.writeBufferHighWaterMark()));
                LongAdder refusals = new LongAdder();
                io.relaygate.server.pipeline.PublicOrigin origin = new io.relaygate.server.pipeline.PublicOrigin(
                        new io.relaygate.server.pipeline.ClientAddress(server.trustedProxies()), server.publicUrl());
                ChannelGroup clients = new DefaultChannelGroup("relaygate-clients", GlobalEventExecutor.INSTANCE);
                b.childHandler(new GatewayChannelInitializer(
                        config,
                        keys,
                        scheduler,
                        data.catalogue(),
                        data.signatures(),
                        io.relaygate.server.pipeline.AdminRoutes.both(
                                io.relaygate.server.pipeline.AdminRoutes.both(
                                        new io.relaygate.server.signin.SignInRoutes(
                                                store, signInTokens, deviceGrants, sso, clock, origin),
                                        new io.relaygate.server.signin.OAuthUsageEndpoint(keys, store.state(), clock)),
                                new AdminApi(store, config.scheduling().adminToken(), clock, tokens, origin)),
                        pool,
                        listener,
                        clock,
                        refusals,
                        new OAuthRefresher(store, scheduler, clock, tokens),
                        draining,
                        clients,
                        ops));
                Channel ch = b.bind(server.host(), server.port())
                        .syncUninterruptibly()
                        .channel();
                logger.debug("listening on {} with {}", ch.localAddress(), transports.name());
                return new GatewayServer(
                        boss,
                        workers,
                        ch,
                        transports.name(),
                        started,
                        requestLog,
                        refusals,
                        draining,
                        clients,
                        readiness,
                        metrics,
                        changes,
                        storeLoops);
            } catch (RuntimeException e) {
                if (storeLoops != null) {
                    closeStoreLoops(storeLoops);
                }
                boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                if (recorder != null) {
                    recorder.close();
                }
                if (requestLog != null) {
                    requestLog.close();
                }
                if (metrics != null) {
                    metrics.close();
                }
                throw e;
            }
        }
    }
}
