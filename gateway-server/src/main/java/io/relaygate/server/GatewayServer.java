package io.relaygate.server;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.relaygate.accounts.AccountSelector;
import io.relaygate.accounts.ApiKeyService;
import io.relaygate.accounts.Scheduler;
import io.relaygate.accounts.Store;
import io.relaygate.accounts.UsageRecorder;
import io.relaygate.core.config.GatewayConfig;
import io.relaygate.core.config.ServerConfig;
import io.relaygate.core.pricing.PriceTable;
import io.relaygate.server.admin.AdminApi;
import io.relaygate.server.exchange.ExchangeListener;
import io.relaygate.server.upstream.OAuthRefresher;
import io.relaygate.server.upstream.TokenEndpoint;
import io.relaygate.server.upstream.Transports;
import io.relaygate.server.upstream.UpstreamPool;
import io.relaygate.server.usage.AccessLog;
import io.relaygate.server.usage.UsageListener;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
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

    private final UsageRecorder recorder;
    private final LongAdder webSocketRefusals;

    private GatewayServer(
            EventLoopGroup boss,
            EventLoopGroup workers,
            Channel serverChannel,
            String transport,
            UsageRecorder recorder,
            LongAdder webSocketRefusals) {
        this.recorder = recorder;
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

    /** {@code epoll} or {@code nio}. */
    public String transport() {
        return transport;
    }

    /** Blocks until the server channel closes. */
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().await();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        boss.terminationFuture().syncUninterruptibly();
        workers.terminationFuture().syncUninterruptibly();
        // after the last exchange ended: its usage is in the recorder, which writes what waits before it stops
        recorder.close();
    }

    /** Options mostly tests set: the buffer allocator, the clock, extra exchange listeners. */
    public static final class Builder {
        private final GatewayConfig config;
        private final Store store;
        private ByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private java.time.Duration accountViewTtl = Scheduler.VIEW_TTL;
        private final List<ExchangeListener> listeners = new ArrayList<>();

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
            try {
                PriceTable prices = config.scheduling().pricingFile() == null
                        ? PriceTable.shipped()
                        : PriceTable.load(config.scheduling().pricingFile());
                recorder = newRecorder(config, store);
                List<ExchangeListener> all = new ArrayList<>(listeners);
                all.add(0, new UsageListener(recorder, clock));
                UsageRecorder started = recorder;
                ExchangeListener listener = outcome -> all.forEach(l -> l.onExchange(outcome));
                UpstreamPool pool =
                        new UpstreamPool(transports, config.upstream(), UpstreamPool.defaultTls(), allocator);
                // OAuth token calls go like upstream requests: the account's proxy and TLS, on the workers
                TokenEndpoint tokens = new TokenEndpoint(pool, workers);
                ApiKeyService keys =
                        new ApiKeyService(store.keys(), config.scheduling().staleFor());
                Scheduler scheduler = new Scheduler(
                        new AccountSelector(
                                store.accounts(),
                                com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
                                accountViewTtl.isZero() ? accountViewTtl : AccountSelector.DEFAULT_CACHE_TTL,
                                config.scheduling().staleFor()),
                        store.state(),
                        config.scheduling(),
                        clock,
                        com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
                        accountViewTtl);
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
                b.childHandler(new GatewayChannelInitializer(
                        config,
                        keys,
                        scheduler,
                        prices,
                        new AdminApi(store, config.scheduling().adminToken(), clock, tokens),
                        pool,
                        listener,
                        clock,
                        refusals,
                        new OAuthRefresher(store, scheduler, clock, tokens)));
                Channel ch = b.bind(server.host(), server.port())
                        .syncUninterruptibly()
                        .channel();
                logger.debug("listening on {} with {}", ch.localAddress(), transports.name());
                return new GatewayServer(boss, workers, ch, transports.name(), started, refusals);
            } catch (RuntimeException e) {
                boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                if (recorder != null) {
                    recorder.close();
                }
                throw e;
            }
        }
    }
}
