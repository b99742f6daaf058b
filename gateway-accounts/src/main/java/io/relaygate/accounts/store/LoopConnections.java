package io.relaygate.accounts.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis connection per gateway event loop, each run by its loop: a command made on loop X is written by X, its
 * answer read and decoded by X and its future completed on X (issue 21). Lettuce puts a client's channels on what its
 * {@link EventLoopGroupProvider} allocates and reconnects through the same bootstrap, so a client whose provider hands
 * out one loop (an {@link EventLoop} is an {@link EventLoopGroup} of one) keeps its connection on that loop across
 * reconnects. Each client has the shared client's options (command timeout, {@code REJECT_COMMANDS}) and reconnect
 * delays, and shares its timer, computation threads and event bus; the loops stay the caller's (released, never shut
 * down). Standalone and Sentinel only: a Cluster keeps its one client.
 */
final class LoopConnections implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(LoopConnections.class);

    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final LoopRouter router;
    private final List<LoopRouter.Bound> bound;
    private final List<RedisClient> clients;
    private final List<ClientResources> resources;

    private LoopConnections(
            LoopRouter router,
            List<LoopRouter.Bound> bound,
            List<RedisClient> clients,
            List<ClientResources> resources) {
        this.router = router;
        this.bound = bound;
        this.clients = clients;
        this.resources = resources;
    }

    /**
     * Whether Lettuce would open channels of {@code channelClass}, the class the caller's loops run; a loop cannot
     * register a channel of another transport (epoll, NIO).
     */
    static boolean sameTransport(Class<? extends Channel> channelClass) {
        return Transports.socketChannelClass() == channelClass;
    }

    /**
     * Connects (blocking: start-up only, never on one of {@code loops}) one client per loop of {@code loops} and routes
     * the calls made on each loop to its connection.
     *
     * @throws RedisException when a connection cannot be opened; those already opened are closed again
     */
    static LoopConnections open(
            LoopRouter router,
            EventLoopGroup loops,
            RedisURI uri,
            ClientOptions options,
            ClientResources shared,
            @Nullable CommandListener listener) {
        List<RedisClient> clients = new ArrayList<>();
        List<ClientResources> resources = new ArrayList<>();
        List<LoopRouter.Bound> bound = new ArrayList<>();
        for (EventExecutor executor : loops) {
            if (executor.inEventLoop()) {
                throw new IllegalStateException("connecting blocks: call it off the event loops");
            }
        }
        try {
            for (EventExecutor executor : loops) {
                EventLoop loop = (EventLoop) executor;
                ClientResources own = ClientResources.builder()
                        .eventLoopGroupProvider(new OneLoop(loop))
                        .eventExecutorGroup(shared.eventExecutorGroup())
                        .timer(shared.timer())
                        .eventBus(shared.eventBus())
                        .commandLatencyRecorder(shared.commandLatencyRecorder())
                        .addressResolverGroup(shared.addressResolverGroup())
                        .reconnectDelay(RedisLink.reconnectDelay())
                        .build();
                resources.add(own);
                RedisClient client = RedisClient.create(own, uri);
                clients.add(client);
                if (listener != null) {
                    client.addListener(listener);
                }
                client.setOptions(options);
                StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8);
                bound.add(new LoopRouter.Bound(loop, c.async()));
            }
        } catch (RuntimeException e) {
            new LoopConnections(router, List.of(), clients, resources).close();
            throw e;
        }
        router.bind(bound);
        logger.debug("one Redis connection on each of {} event loops", bound.size());
        return new LoopConnections(router, List.copyOf(bound), clients, resources);
    }

    /**
     * Routes every call to the shared connection again, then closes the per-loop ones (blocking, off the loops, which
     * must still run: their channels close on them). A command still in flight on one fails, as on a lost connection.
     */
    @Override
    public void close() {
        router.unbind(bound);
        for (RedisClient client : clients) {
            try {
                client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
            } catch (RuntimeException e) {
                logger.debug("closing a per-loop Redis connection failed: {}", e.toString());
            }
        }
        // every part of these resources is the shared client's or the caller's: this frees nothing they hold
        for (ClientResources r : resources) {
            r.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Hands Lettuce one of the caller's loops, and never shuts it down. */
    private static final class OneLoop implements EventLoopGroupProvider {
        private final EventLoop loop;

        OneLoop(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            // Lettuce asks by its transport's group class (e.g. EpollEventLoopGroup); the loop is of that transport
            // (sameTransport), and Lettuce uses the result as a plain EventLoopGroup
            return (T) loop;
        }

        @Override
        public int threadPoolSize() {
            return 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
