package io.relaygate.accounts.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.relaygate.core.Secrets;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One Redis deployment as the store sees it, whichever of the three forms {@code REDIS_URL} names: a single server or
 * a Sentinel-watched master ({@link RedisClient}) or a Cluster ({@link RedisClusterClient}). The store talks to all of
 * them through {@link RedisClusterAsyncCommands}, the command interface standalone and cluster connections share, so
 * one code path serves the three; the change channel is a dedicated pub/sub connection (on a Cluster, Lettuce's
 * cluster pub/sub: a classic {@code PUBLISH} reaches every node's subscribers over the cluster bus).
 */
final class RedisLink implements AutoCloseable {

    private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(RedisLink.class);

    /** A command that gets no answer within this fails instead of leaving a request hanging. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Longest wait between two reconnect attempts. Lettuce's default grows to 30 s, so a Redis that came back after
     * a few seconds away stayed unused for up to as long again (the fault probe in issue 15 measured 5.7-6.1 s). A
     * reconnect attempt to a loopback or LAN Redis costs a connect call, so trying twice a second is cheap.
     */
    static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);

    /** First reconnect delay; doubled per failed attempt up to {@link #MAX_RECONNECT_DELAY}. */
    static final Duration MIN_RECONNECT_DELAY = Duration.ofMillis(10);

    /**
     * How often a Cluster's topology is read again even when nothing signalled a change; the adaptive triggers
     * (MOVED, ASK, reconnects) refresh it at once, at most once per {@link #ADAPTIVE_REFRESH_TIMEOUT}.
     */
    static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(30);

    static final Duration ADAPTIVE_REFRESH_TIMEOUT = Duration.ofSeconds(1);

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    /** {@link #kind()} of a Cluster: the one form whose keys are on several servers. */
    static final String CLUSTER = "cluster";

    static final String CLUSTER_SCHEME = "redis-cluster://";
    static final String TLS_CLUSTER_SCHEME = "rediss-cluster://";

    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final AutoCloseable connection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final String kind;
    /** Standalone and Sentinel: what opens connections on the caller's event loops; {@code null} on a Cluster. */
    private final @org.jspecify.annotations.Nullable LoopSource loops;

    private RedisLink(
            ClientResources resources,
            AbstractRedisClient client,
            AutoCloseable connection,
            RedisClusterAsyncCommands<String, String> commands,
            StatefulRedisPubSubConnection<String, String> pubSub,
            String kind,
            @org.jspecify.annotations.Nullable LoopSource loops) {
        this.resources = resources;
        this.client = client;
        this.connection = connection;
        this.commands = loops == null ? commands : loops.router().commands();
        this.pubSub = pubSub;
        this.kind = kind;
        this.loops = loops;
    }

    /** What a standalone or Sentinel link needs to open per-loop connections later ({@link #runOn}). */
    private record LoopSource(
            LoopRouter router,
            RedisURI uri,
            ClientOptions options,
            io.lettuce.core.event.command.@org.jspecify.annotations.Nullable CommandListener listener) {}

    /**
     * Connects (blocking: start-up only) to {@code url}: {@code redis://}, {@code rediss://}, {@code redis-socket://}
     * and {@code redis-sentinel://} as Lettuce's {@link RedisURI} reads them, or {@code redis-cluster://} (TLS:
     * {@code rediss-cluster://}) followed by {@code [[user]:password@]host:port[,host:port…]}, the Cluster's seed
     * nodes.
     *
     * @throws IllegalArgumentException when the URL is malformed
     * @throws io.lettuce.core.RedisException when Redis cannot be reached
     */
    static RedisLink open(String url) {
        return open(url, null);
    }

    /** {@link #open(String)}, with {@code listener} told of every command (metrics). */
    static RedisLink open(
            String url, io.lettuce.core.event.command.@org.jspecify.annotations.Nullable CommandListener listener) {
        requireNonNull(url, "url");
        List<RedisURI> seeds = clusterSeeds(url);
        ClientResources resources =
                ClientResources.builder().reconnectDelay(reconnectDelay()).build();
        AbstractRedisClient client = null;
        try {
            if (seeds != null) {
                RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
                client = cluster;
                if (listener != null) {
                    // before connecting: Lettuce gives a connection the listeners its client has then
                    cluster.addListener(listener);
                }
                cluster.setOptions(ClusterClientOptions.builder()
                        .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                                .enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD)
                                .enableAllAdaptiveRefreshTriggers()
                                .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_TIMEOUT)
                                .build())
                        .build());
                StatefulRedisClusterConnection<String, String> c = cluster.connect(StringCodec.UTF8);
                // Lettuce opens node connections lazily, and with REJECT_COMMANDS a command routed to a node whose
                // connection is still being opened is refused: open one to every master now, while blocking is fine,
                // and to the masters of each new topology as soon as Lettuce sees it (a failover, a reshard).
                for (RedisClusterNode node : c.getPartitions()) {
                    if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                        c.getConnection(node.getUri().getHost(), node.getUri().getPort());
                    }
                }
                resources.eventBus().get().subscribe(event -> {
                    if (event instanceof ClusterTopologyChangedEvent changed) {
                        for (RedisClusterNode node : changed.after()) {
                            if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                                c.getConnectionAsync(
                                        node.getUri().getHost(), node.getUri().getPort());
                            }
                        }
                    }
                });
                return new RedisLink(
                        resources, cluster, c, c.async(), cluster.connectPubSub(StringCodec.UTF8), CLUSTER, null);
            }
            RedisURI uri = RedisURI.create(url);
            RedisClient single = RedisClient.create(resources, uri);
            client = single;
            if (listener != null) {
                single.addListener(listener);
            }
            ClientOptions options = ClientOptions.builder()
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    // While Redis is away commands fail at once instead of queueing for the command timeout:
                    // admission then fails open without a stall and usage waits in the UsageRecorder's buffer.
                    // Lettuce keeps reconnecting in the background.
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .build();
            single.setOptions(options);
            StatefulRedisConnection<String, String> c = single.connect(StringCodec.UTF8);
            return new RedisLink(
                    resources,
                    single,
                    c,
                    c.async(),
                    single.connectPubSub(StringCodec.UTF8),
                    uri.getSentinels().isEmpty() ? "single" : "sentinel",
                    new LoopSource(LoopRouter.over(c.async()), uri, options, listener));
        } catch (RuntimeException e) {
            if (client != null) {
                client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
            }
            resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Doubles from {@link #MIN_RECONNECT_DELAY} per failed attempt, capped at {@link #MAX_RECONNECT_DELAY}. */
    static Delay reconnectDelay() {
        return Delay.exponential(MIN_RECONNECT_DELAY, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS);
    }

    /** The seed nodes of a {@code redis-cluster://} URL, or {@code null} for every other form. */
    static @org.jspecify.annotations.Nullable List<RedisURI> clusterSeeds(String url) {
        boolean tls = url.startsWith(TLS_CLUSTER_SCHEME);
        if (!tls && !url.startsWith(CLUSTER_SCHEME)) {
            return null;
        }
        String rest = url.substring(tls ? TLS_CLUSTER_SCHEME.length() : CLUSTER_SCHEME.length());
        // the credentials end at the last '@': a password may contain '@' but a host list may not
        int at = rest.lastIndexOf('@');
        String credentials = at < 0 ? null : rest.substring(0, at);
        String hosts = at < 0 ? rest : rest.substring(at + 1);
        int end = hosts.length();
        for (char c : new char[] {'/', '?'}) {
            int i = hosts.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String suffix = hosts.substring(end);
        hosts = hosts.substring(0, end);
        if (hosts.isBlank()) {
            throw new IllegalArgumentException("no seed nodes (expected: redis-cluster://host:port[,host:port…])");
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : hosts.split(",", -1)) {
            if (host.isBlank() || host.lastIndexOf(':') <= 0) {
                throw new IllegalArgumentException(
                        "seed node '" + host.strip() + "' (expected: host:port, e.g. redis-cluster://10.0.0.1:7000)");
            }
            RedisURI seed = RedisURI.create((tls ? "rediss://" : "redis://") + host.strip() + suffix);
            if (credentials != null) {
                // set apart from the URL so a password with '@', ':' or '/' needs no escaping
                int colon = credentials.indexOf(':');
                String user = colon < 0 ? "" : decode(credentials.substring(0, colon));
                String password = decode(colon < 0 ? credentials : credentials.substring(colon + 1));
                if (user.isEmpty()) {
                    seed.setAuthentication(password);
                } else {
                    seed.setAuthentication(user, password);
                }
            }
            seeds.add(seed);
        }
        return List.copyOf(seeds);
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The commands every store part uses. Results complete on Lettuce's I/O threads, or, for a command made on an event
     * loop given to {@link #runOn}, on that loop.
     */
    RedisClusterAsyncCommands<String, String> commands() {
        return commands;
    }

    /**
     * Opens one connection on each of {@code group}'s loops (blocking: call it at start-up, off those loops) and sends
     * the commands made on a loop over its own connection; see {@link LoopConnections}. The handle closes them again
     * (commands then go to the shared connection): close it before the loops stop. Nothing changes, and the handle does
     * nothing, on a Cluster, on a Unix socket, or when Lettuce would open channels of another transport than {@code
     * channelClass}, the one {@code group} runs, or when Redis cannot be reached now (said in the log).
     */
    AutoCloseable runOn(io.netty.channel.EventLoopGroup group, Class<? extends io.netty.channel.Channel> channelClass) {
        LoopSource source = loops;
        if (source == null || source.uri().getSocket() != null) {
            return () -> {};
        }
        if (!LoopConnections.sameTransport(channelClass)) {
            logger.info(
                    "Redis connections stay on Lettuce's own threads: the event loops run {}, Lettuce another transport",
                    channelClass.getSimpleName());
            return () -> {};
        }
        try {
            return LoopConnections.open(
                    source.router(), group, source.uri(), source.options(), resources, source.listener());
        } catch (io.lettuce.core.RedisException e) {
            // Redis went away since the store connected: the shared connection reconnects by itself and serves all
            logger.warn(
                    "Redis connections on the event loops not opened ({}); every command uses the shared connection",
                    Secrets.redact(String.valueOf(e.getMessage())));
            return () -> {};
        }
    }

    /**
     * The event loop the calling thread runs when this link has a connection on it ({@link #runOn}), else {@code
     * null}: always on a Cluster, and on every thread before {@link #runOn} and after its handle closed.
     */
    java.util.function.Supplier<io.netty.util.concurrent.@org.jspecify.annotations.Nullable EventExecutor>
            currentLoop() {
        LoopSource source = loops;
        return source == null ? () -> null : source.router()::currentLoop;
    }

    /** {@code single}, {@code sentinel} or {@code cluster}, for start-up output. */
    String kind() {
        return kind;
    }

    /**
     * Subscribes (blocking, start-up only) to {@code channel}: each message goes to {@code onMessage} on a Lettuce
     * I/O thread. Lettuce subscribes again after a reconnect; what was published meanwhile is lost, so every
     * reconnect after the first connect is told to {@code onReconnect} (the caller drops what it cached).
     */
    void subscribe(String channel, Consumer<String> onMessage, Runnable onReconnect) {
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                if (channel.equals(ch)) {
                    onMessage.accept(message);
                }
            }
        });
        AtomicBoolean subscribed = new AtomicBoolean();
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (subscribed.get()) {
                    onReconnect.run();
                }
            }
        });
        pubSub.sync().subscribe(channel);
        subscribed.set(true);
    }

    @Override
    public void close() {
        try {
            pubSub.close();
            connection.close();
        } catch (Exception e) {
            // closing a connection to a Redis that is gone can fail; the client shutdown below still frees it
        } finally {
            client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
            resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
