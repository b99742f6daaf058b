package io.relaygate.server.upstream;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.relaygate.core.config.UpstreamConfig;
import io.relaygate.server.pipeline.PipelineNames;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Upstream connections, pooled per event loop and target. A relay asks for a connection on its client channel's event
 * loop and gets one bound to that same loop, so relaying never crosses threads. Each loop's idle connections are
 * touched only by that loop.
 *
 * <p>HTTP/1.1: an idle pooled connection carries {@link IdleGuard}, which closes it if the upstream sends anything or
 * closes it, and after {@link #IDLE_CLOSE_SECONDS} unused.
 *
 * <p>HTTP/2 ({@link Http2Pool}): TLS upstreams are offered {@code h2} by ALPN (the JDK's TLS) unless
 * {@code upstream.http2} is off, and plain-HTTP upstreams whose origin is listed in {@code upstream.h2c} are spoken to
 * in h2c with prior knowledge. A request then gets a stream (a child channel turning frames into HTTP/1.1 objects) on
 * a shared connection instead of a connection of its own; a server that does not choose {@code h2} is spoken to in
 * HTTP/1.1 as before. Proxies carry either, since both are bytes through the tunnel.
 */
public final class UpstreamPool implements UpstreamConnections {

    /** Idle keep-alive connections close after this, before typical upstream keep-alive limits. */
    static final int IDLE_CLOSE_SECONDS = 50;

    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_CHUNK_BYTES = 64 * 1024;

    /** ALPN's choice between HTTP/2 and HTTP/1.1, in that order of preference. */
    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1);

    private final Transports transports;
    private final UpstreamConfig config;
    private final SslContext sslContext;
    private final @Nullable SslContext alpnContext;
    private final ConcurrentHashMap<String, SslContext> customTrust = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, SslContext> customAlpnTrust = new ConcurrentHashMap<>();
    private final ByteBufAllocator allocator;
    private final ConcurrentHashMap<EventLoop, Map<UpstreamTarget, ArrayDeque<Channel>>> idle =
            new ConcurrentHashMap<>();
    private final Http2Pool http2;

    public UpstreamPool(
            Transports transports, UpstreamConfig config, SslContext sslContext, ByteBufAllocator allocator) {
        this.transports = requireNonNull(transports, "transports");
        this.config = requireNonNull(config, "config");
        this.sslContext = requireNonNull(sslContext, "sslContext");
        this.allocator = requireNonNull(allocator, "allocator");
        this.alpnContext = config.http2() ? tls(null, true) : null;
        this.http2 = new Http2Pool(new Http2Pool.Connector() {
            @Override
            public Future<Channel> connect(EventLoop loop, UpstreamTarget target, Http2Link.Owner owner) {
                Promise<Channel> promise = loop.newPromise();
                UpstreamPool.this.connect(loop, target, promise, owner);
                return promise;
            }

            @Override
            public Future<Lease> acquireHttp1(EventLoop loop, UpstreamTarget target) {
                return UpstreamPool.this.acquireHttp1(loop, target);
            }
        });
    }

    @Override
    public Future<Lease> acquire(EventLoop loop, UpstreamTarget target) {
        if (target.tls() ? config.http2() : config.h2c(target.host(), target.port())) {
            return http2.acquire(loop, target);
        }
        return acquireHttp1(loop, target);
    }

    /** Whether the request sent on {@code ch} never reached the upstream's processing (HTTP/2 only). */
    @Override
    public boolean unprocessed(Channel ch) {
        return Http2StreamCodec.unprocessed(ch);
    }

    private Future<Lease> acquireHttp1(EventLoop loop, UpstreamTarget target) {
        Promise<Lease> promise = loop.newPromise();
        ArrayDeque<Channel> deque =
                idle.computeIfAbsent(loop, l -> new HashMap<>()).get(target);
        while (deque != null && !deque.isEmpty()) {
            Channel ch = deque.pollFirst();
            if (ch.isActive() && ch.pipeline().get(IdleGuard.class) != null) {
                ch.pipeline().remove(IdleGuard.class);
                return promise.setSuccess(new Lease(ch, true));
            }
            ch.close();
        }
        Future<Channel> opened = open(loop, target);
        opened.addListener(f -> {
            if (opened.isSuccess()) {
                promise.trySuccess(new Lease(opened.getNow(), false));
            } else {
                promise.tryFailure(opened.cause());
            }
        });
        return promise;
    }

    /**
     * A new connection to {@code target} on {@code loop}, never a pooled one, ready for a request (connected, proxy
     * and TLS handshakes done); the caller closes it. For one-off calls such as an OAuth token refresh.
     */
    public Future<Channel> open(EventLoop loop, UpstreamTarget target) {
        Promise<Channel> promise = loop.newPromise();
        connect(loop, target, promise, null);
        return promise;
    }

    /** The JDK's trust store, with hostname verification on whatever the Netty default of the day. */
    public static SslContext defaultTls() {
        try {
            return SslContextBuilder.forClient()
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException("TLS client context: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(Channel ch, UpstreamTarget target) {
        if (ch instanceof Http2StreamChannel) {
            // its stream ended both ways: closing the child sends nothing, and frees its place on the connection
            ch.close();
            return;
        }
        if (!ch.isActive() || config.maxIdleConnectionsPerHost() == 0) {
            ch.close();
            return;
        }
        Map<UpstreamTarget, ArrayDeque<Channel>> byTarget = idle.computeIfAbsent(ch.eventLoop(), l -> new HashMap<>());
        ArrayDeque<Channel> deque = byTarget.computeIfAbsent(target, t -> new ArrayDeque<>());
        if (deque.size() >= config.maxIdleConnectionsPerHost()) {
            ch.close();
            return;
        }
        ch.config().setAutoRead(true);
        ch.pipeline().addLast(new IdleGuard(deque));
        deque.addFirst(ch);
    }

    /**
     * The JDK's trust, or the account's own certificates; hostnames are verified with both. {@code alpn}: offering
     * {@code h2} and {@code http/1.1} by ALPN, with the JDK's TLS.
     */
    private SslContext sslContext(UpstreamTarget target, boolean alpn) {
        String pem = target.trustCertificates();
        if (pem == null) {
            SslContext c = alpn ? alpnContext : sslContext;
            return c == null ? sslContext : c;
        }
        return (alpn ? customAlpnTrust : customTrust).computeIfAbsent(pem, file -> {
            try {
                return tls(file, alpn);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "trust certificates " + file + " of " + target.host() + ": " + e.getMessage(), e);
            }
        });
    }

    private static SslContext tls(@Nullable String trustPem, boolean alpn) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            if (trustPem != null) {
                b.trustManager(new java.io.File(trustPem));
            }
            if (alpn) {
                b.sslProvider(SslProvider.JDK).applicationProtocolConfig(ALPN);
            }
            return b.build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Connects to {@code target}: HTTP/1.1 when {@code h2} is null; else HTTP/2 for a link owned by {@code h2}, by
     * ALPN over TLS (HTTP/1.1 when the server does not choose h2) or with prior knowledge on plain TCP.
     */
    private void connect(
            EventLoop loop, UpstreamTarget target, Promise<Channel> promise, Http2Link.@Nullable Owner h2) {
        boolean alpn = h2 != null && target.tls();
        @Nullable SslContext ssl;
        try {
            ssl = target.tls() ? sslContext(target, alpn) : null;
        } catch (IllegalArgumentException e) {
            promise.tryFailure(e);
            return;
        }
        long connectMillis = config.connectTimeout().toMillis();
        long idleMillis = config.maxIdleConnectionsPerHost() == 0 ? 0 : TimeUnit.SECONDS.toMillis(IDLE_CLOSE_SECONDS);
        // HTTP/2: a connection quiet for the clients' keep-alive interval is PINGed, and one that does not answer
        // within the connect timeout is taken for dead
        Http2Link.Timings h2Timings = new Http2Link.Timings(
                connectMillis, idleMillis, config.streamKeepAlive().toMillis(), connectMillis);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transports.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, allocator)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        UpstreamTarget.ProxySpec proxy = target.proxy();
                        if (proxy != null) {
                            p.addLast(PipelineNames.PROXY, proxyHandler(proxy));
                        }
                        if (ssl != null) {
                            p.addLast(PipelineNames.TLS, ssl.newHandler(ch.alloc(), target.host(), target.port()));
                        }
                        if (alpn) {
                            p.addLast(PipelineNames.UPSTREAM_ALPN, new AlpnChoice(h2, h2Timings));
                        } else if (h2 != null) {
                            Http2Link.install(p, h2, h2Timings);
                        } else {
                            addHttp1(p);
                        }
                    }
                });
        InetSocketAddress address;
        if (target.proxy() != null) {
            // The proxy resolves the upstream host name (SOCKS5 domain addresses, HTTP CONNECT host:port).
            b.resolver(NoopAddressResolverGroup.INSTANCE);
            address = InetSocketAddress.createUnresolved(target.host(), target.port());
        } else {
            address = new InetSocketAddress(target.host(), target.port());
        }
        ChannelFuture cf = b.connect(address);
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            Channel ch = cf.channel();
            AlpnChoice choice = ch.pipeline().get(AlpnChoice.class);
            Future<?> ready = choice != null ? choice.chosen() : readiness(ch);
            if (ready == null) {
                promise.trySuccess(ch);
            } else {
                ready.addListener(r -> {
                    if (r.isSuccess()) {
                        promise.trySuccess(ch);
                    } else {
                        ch.close();
                        promise.tryFailure(r.cause());
                    }
                });
            }
        });
    }

    private static void addHttp1(ChannelPipeline p) {
        p.addLast(
                PipelineNames.UPSTREAM_CODEC, new HttpClientCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK_BYTES));
        // We ask for identity; an upstream that compresses anyway (gzip, deflate) is decoded here, so usage taps,
        // converters and clients all see plain bytes. Identity answers pass untouched.
        p.addLast(PipelineNames.UPSTREAM_DECOMPRESS, new LazyDecompressor());
    }

    /**
     * UPSTREAM_ALPN: after the TLS handshake, sets the connection up for the protocol the server chose: HTTP/2 for
     * {@code h2}, else HTTP/1.1 (also when the server ignores ALPN). {@link #chosen()} completes once that is done.
     */
    private static final class AlpnChoice extends ApplicationProtocolNegotiationHandler {
        private final Http2Link.Owner owner;
        private final Http2Link.Timings timings;
        private @Nullable Promise<Void> chosen;

        AlpnChoice(Http2Link.Owner owner, Http2Link.Timings timings) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.owner = owner;
            this.timings = timings;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            chosen = ctx.executor().newPromise();
            super.handlerAdded(ctx);
        }

        Future<Void> chosen() {
            return requireNonNull(chosen, "chosen");
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                Http2Link.install(ctx.pipeline(), owner, timings);
            } else {
                addHttp1(ctx.pipeline());
            }
            requireNonNull(chosen, "chosen").trySuccess(null);
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            requireNonNull(chosen, "chosen").tryFailure(cause);
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            requireNonNull(chosen, "chosen").tryFailure(new java.nio.channels.ClosedChannelException());
            super.channelInactive(ctx);
        }
    }

    /** What to wait for after TCP connect: TLS handshake (which follows the proxy's), or the proxy's own. */
    private static @Nullable Future<?> readiness(Channel ch) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl != null) {
            return ssl.handshakeFuture();
        }
        ProxyHandler proxy = ch.pipeline().get(ProxyHandler.class);
        return proxy == null ? null : proxy.connectFuture();
    }

    private ProxyHandler proxyHandler(UpstreamTarget.ProxySpec proxy) {
        InetSocketAddress addr = new InetSocketAddress(proxy.host(), proxy.port());
        ProxyHandler h;
        if (proxy.socks()) {
            h = proxy.username() == null
                    ? new Socks5ProxyHandler(addr)
                    : new Socks5ProxyHandler(addr, proxy.username(), proxy.password());
        } else {
            h = proxy.username() == null
                    ? new HttpProxyHandler(addr)
                    : new HttpProxyHandler(addr, proxy.username(), requireNonNull(proxy.password(), "password"));
        }
        h.setConnectTimeoutMillis(config.connectTimeout().toMillis());
        return h;
    }

    /** Sits on an idle pooled connection: anything from upstream or its close takes it out of the pool. */
    private static final class IdleGuard extends ChannelInboundHandlerAdapter {
        private final ArrayDeque<Channel> deque;
        private io.netty.util.concurrent.@Nullable ScheduledFuture<?> expiry;

        IdleGuard(ArrayDeque<Channel> deque) {
            this.deque = deque;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            expiry = ctx.executor().schedule(() -> evict(ctx), IDLE_CLOSE_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (expiry != null) {
                expiry.cancel(false);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            evict(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            deque.remove(ctx.channel());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            evict(ctx);
        }

        private void evict(ChannelHandlerContext ctx) {
            deque.remove(ctx.channel());
            ctx.close();
        }
    }

    @Override
    public TokenCalls oneOffCalls(EventLoop loop) {
        return new TokenEndpoint(this, loop);
    }
}
