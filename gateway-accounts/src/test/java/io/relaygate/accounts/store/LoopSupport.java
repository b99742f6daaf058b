package io.relaygate.accounts.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.relaygate.accounts.Store;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The store's per-loop mode in tests ({@link Store#runOn}): event loops standing in for the gateway's workers, and
 * store parts whose every call is made on such a loop, as the gateway makes them, so the contract suites run over the
 * loops' own connections. This module's classpath has no native transport, so Lettuce and these loops use NIO.
 */
public final class LoopSupport {

    private LoopSupport() {}

    /** Loops of the transport Lettuce uses here, daemon threads named {@code name-…}. */
    public static EventLoopGroup loops(int n, String name) {
        assertThat(LoopConnections.sameTransport(NioSocketChannel.class))
                .as("Lettuce opens NIO channels on this classpath, as these loops run")
                .isTrue();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
    }

    public static Class<NioSocketChannel> channelClass() {
        return NioSocketChannel.class;
    }

    /** Stops {@code loops}; close what runs on them first. */
    public static void stop(EventLoopGroup loops) {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * A link's commands in the per-loop mode on {@code loops}, for a part built on commands directly (the shared
     * state); {@code onClose} closes the per-loop connections, then the link.
     */
    public static RedisClusterAsyncCommands<String, String> commands(
            String url, EventLoopGroup loops, java.util.List<AutoCloseable> onClose) {
        RedisLink link = RedisLink.open(url, new CommandEvents());
        AutoCloseable handle = link.runOn(loops, channelClass());
        onClose.add(() -> {
            handle.close();
            link.close();
        });
        return link.commands();
    }

    /**
     * A link in the per-loop mode on {@code loops}, for a part built on commands directly that also needs to know which
     * loop a call is made on (the shared state's spends riding admissions): its commands, that loop, and what closes
     * the per-loop connections, then the link.
     */
    public static PerLoop perLoop(String url, EventLoopGroup loops) {
        RedisLink link = RedisLink.open(url, new CommandEvents());
        AutoCloseable handle = link.runOn(loops, channelClass());
        return new PerLoop(link.commands(), link.currentLoop(), () -> {
            handle.close();
            link.close();
        });
    }

    /** {@link #perLoop}'s answer. */
    public record PerLoop(
            RedisClusterAsyncCommands<String, String> commands,
            java.util.function.Supplier<io.netty.util.concurrent.@Nullable EventExecutor> currentLoop,
            AutoCloseable closer) {}

    /**
     * {@code store} with each of its parts' calls made on {@code loop} (the caller waits only until the call is made,
     * never for its result, which may complete on the loop); closing it closes the per-loop connections, then the
     * store, from the caller's thread.
     */
    public static Store onLoop(Store store, AutoCloseable perLoop, EventLoop loop) {
        return (Store) Proxy.newProxyInstance(
                Store.class.getClassLoader(), new Class<?>[] {Store.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        perLoop.close();
                        store.close();
                        return null;
                    }
                    Object result = invoke(method, store, args);
                    return isPart(method.getReturnType()) ? partOrNull(method.getReturnType(), result, loop) : result;
                });
    }

    /** {@code target}, an interface of this project's, with every call made on {@code loop}. */
    public static <T> T part(Class<T> type, T target, EventLoop loop) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return invoke(method, target, args);
            }
            Object result;
            if (loop.inEventLoop()) {
                // a continuation on the loop calling the store again, as the gateway's do
                result = invoke(method, target, args);
            } else {
                try {
                    result = loop.submit(() -> invoke(method, target, args)).get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause();
                }
            }
            return isPart(method.getReturnType()) ? partOrNull(method.getReturnType(), result, loop) : result;
        }));
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Object partOrNull(Class<?> type, @Nullable Object target, EventLoop loop) {
        return target == null ? null : part((Class<Object>) type, target, loop);
    }

    private static boolean isPart(Class<?> type) {
        return type.isInterface() && type.getName().startsWith("io.relaygate.accounts.") && type != Store.class;
    }

    private static @Nullable Object invoke(Method method, Object target, @Nullable Object @Nullable [] args)
            throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
