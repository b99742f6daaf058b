package io.relaygate.accounts.store;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.channel.EventLoop;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The command interface every store part holds: each call goes to the connection of the event loop it is made on
 * ({@link LoopConnections}), or to the shared connection from any other thread (the usage recorder's, the request
 * log's, admin commands, Lettuce's own). A command made on a gateway event loop is then written, answered and completed
 * on that loop: no hand-off to Lettuce's I/O thread and back (issue 21: about four thread wake-ups a request).
 *
 * <p>A dynamic proxy, as Lettuce's own synchronous API is one over the asynchronous one: the store parts keep their
 * one {@link RedisClusterAsyncCommands} field and call it as before. A thread keeps its commands on one connection, so
 * their order is kept as it was on the single shared one.
 *
 * <p>With assertions on (tests), a command's future made on a loop is a {@link LoopBoundFuture}: waiting on it from
 * that loop, where its answer can only be read once the wait is over, fails at once instead of hanging until the
 * command timeout.
 */
final class LoopRouter implements InvocationHandler {

    private static final boolean GUARD = LoopRouter.class.desiredAssertionStatus();

    /** A loop and the commands of the connection that runs on it. */
    record Bound(EventLoop loop, RedisClusterAsyncCommands<String, String> commands) {}

    private final RedisClusterAsyncCommands<String, String> shared;

    /** Read on every call: a handful of loops, scanned with {@link EventLoop#inEventLoop()} (a thread compare). */
    private volatile Bound[] bound = new Bound[0];

    private LoopRouter(RedisClusterAsyncCommands<String, String> shared) {
        this.shared = shared;
    }

    /** The router and the command interface that routes through it. */
    static LoopRouter over(RedisClusterAsyncCommands<String, String> shared) {
        return new LoopRouter(shared);
    }

    @SuppressWarnings("unchecked")
    RedisClusterAsyncCommands<String, String> commands() {
        return (RedisClusterAsyncCommands<String, String>) Proxy.newProxyInstance(
                RedisClusterAsyncCommands.class.getClassLoader(),
                new Class<?>[] {RedisClusterAsyncCommands.class},
                this);
    }

    /**
     * From now on, a call made on one of these loops goes to its connection (added to those bound already: two servers
     * in one process may share a store).
     */
    synchronized void bind(List<Bound> loops) {
        List<Bound> all = new java.util.ArrayList<>(List.of(bound));
        all.addAll(loops);
        bound = all.toArray(Bound[]::new);
    }

    /** From now on, a call made on one of these loops goes to the shared connection (theirs are about to close). */
    synchronized void unbind(List<Bound> loops) {
        List<Bound> all = new java.util.ArrayList<>(List.of(bound));
        all.removeAll(loops);
        bound = all.toArray(Bound[]::new);
    }

    /** The loop the current thread runs, when it is one with its own connection; else {@code null}. */
    @Nullable
    EventLoop currentLoop() {
        Bound on = current();
        return on == null ? null : on.loop();
    }

    /** The loop the current thread runs, when it is one with its own connection. */
    private @Nullable Bound current() {
        for (Bound b : bound) {
            if (b.loop().inEventLoop()) {
                return b;
            }
        }
        return null;
    }

    @Override
    public @Nullable Object invoke(Object proxy, Method method, @Nullable Object @Nullable [] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> args != null && proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "LoopRouter(" + bound.length + " loops)";
            };
        }
        Bound on = current();
        Object result;
        try {
            result = method.invoke(on == null ? shared : on.commands(), args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        if (GUARD && on != null && result instanceof RedisFuture<?> future) {
            return LoopBoundFuture.of(future, on.loop());
        }
        return result;
    }
}
