package io.relaygate.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one load: connects every slot first (a bounded number of connects at a time, so 10,000 connections do not
 * overflow the server's accept backlog), starts them together after a short pause, waits for the window and the
 * in-flight requests to end, then merges what each event loop measured. With h2c it first opens the few connections
 * the streams share (each slot then lives on its connection's event loop) and "connects" a slot by opening a stream.
 */
public final class LoadDriver {

    /** Connects in flight at once while setting up. */
    private static final int CONNECTS_IN_FLIGHT = 256;
    /** Time between the last connect and the first request: the JIT and the server settle. */
    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private LoadDriver() {}

    /** Runs {@code options} to the end; blocks for warm-up + duration (+ the drain when requests hang). */
    public static LoadReport run(LoadOptions options) throws InterruptedException {
        return run(options, progress -> {});
    }

    /**
     * As {@link #run(LoadOptions)}; {@code progress} hears when the connections are up and the requests start (a
     * script samples the server's memory relative to that).
     */
    public static LoadReport run(LoadOptions options, Consumer<String> progress) throws InterruptedException {
        return run(options, false, progress);
    }

    /**
     * As {@link #run(LoadOptions, Consumer)}; with {@code connectInRamp} each slot opens its connection when its
     * first request is due (spread over the ramp) instead of all up front, so the server's sockets grow with the
     * streams it holds (what the streams-ramp phase of run-bench.sh plots). {@code connected} then counts the slots.
     */
    public static LoadReport run(LoadOptions options, boolean connectInRamp, Consumer<String> progress)
            throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                options.threads(),
                new DefaultThreadFactory("load", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            return run(options, group, epoll, connectInRamp, progress);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static LoadReport run(
            LoadOptions options, EventLoopGroup group, boolean epoll, boolean connectInRamp, Consumer<String> progress)
            throws InterruptedException {
        int port = options.target().getPort() > 0 ? options.target().getPort() : 80;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                // Thread-cached pools for the read buffers: cheaper per read than the adaptive allocator.
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .remoteAddress(options.target().getHost(), port);
        if (options.slowReadBytesPerSec() > 0) {
            bootstrap.option(ChannelOption.SO_RCVBUF, 4096);
        }
        int n = options.h2c() ? options.concurrency() : options.connectionCount();
        LoadRun run = new LoadRun(options, bootstrap, n);
        Map<EventExecutor, LoadStats> perLoop = new IdentityHashMap<>();
        List<Channel> shared = options.h2c() ? h2cConnections(options, run, bootstrap, group) : List.of();
        List<LoadSlot> slots = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Channel connection = shared.isEmpty() ? null : shared.get(i % shared.size());
            EventLoop loop = connection != null ? connection.eventLoop() : (EventLoop) group.next();
            LoadStats stats = perLoop.computeIfAbsent(loop, l -> new LoadStats());
            H2cConnectionHandler h2c =
                    connection == null ? null : connection.pipeline().get(H2cConnectionHandler.class);
            slots.add(new LoadSlot(run, loop, stats, h2c));
        }
        List<Future<?>> connects = new ArrayList<>(n);
        for (int i = 0; i < n && !connectInRamp && (shared.size() > 0 || !options.h2c()); i++) {
            if (i >= CONNECTS_IN_FLIGHT) {
                connects.get(i - CONNECTS_IN_FLIGHT).awaitUninterruptibly();
            }
            connects.add(slots.get(i).connect(bootstrap));
        }
        int connected = connectInRamp ? n : 0;
        String connectError = options.h2c() && shared.isEmpty() ? "no h2c connection came up" : "";
        for (Future<?> f : connects) {
            f.awaitUninterruptibly();
            if (f.isSuccess()) {
                connected++;
            } else if (connectError.isEmpty() && f.cause() != null) {
                connectError = String.valueOf(f.cause());
            }
        }

        progress.accept(connected + " of " + n + " connections up; starting");
        long t0 = System.nanoTime() + START_DELAY_NANOS;
        long measureStart = t0 + options.warmup().toNanos();
        long end = measureStart + options.duration().toNanos();
        long period = options.openLoop() ? (long) (n * 1e9 / options.rate()) : 0;
        run.window(measureStart, end, period);
        long ramp = options.ramp().toNanos();
        for (int i = 0; i < n; i++) {
            LoadSlot slot = slots.get(i);
            long first = options.openLoop() ? t0 + period * i / n : t0 + ramp * i / n;
            if (connectInRamp) {
                slot.loop().execute(() -> slot.connectAndBegin(first));
            } else {
                slot.loop().execute(() -> slot.begin(first));
            }
        }
        long waitNanos = end + options.drain().toNanos() - System.nanoTime();
        run.slotsDone().await(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
        long timedOut = 0;
        for (LoadSlot slot : slots) {
            timedOut += onLoop(slot.loop(), slot::abort);
        }
        LoadStats total = new LoadStats();
        for (Map.Entry<EventExecutor, LoadStats> e : perLoop.entrySet()) {
            LoadStats s = e.getValue();
            total.add(onLoop(e.getKey(), s::copy));
        }
        return LoadReport.of(options, total, connected, connectError, timedOut, run.peakStreams());
    }

    /**
     * h2c: opens the connections the streams share ({@link LoadOptions#connections()}, at most one per stream), each
     * on the next event loop; returns those that came up.
     */
    private static List<Channel> h2cConnections(
            LoadOptions options, LoadRun run, Bootstrap bootstrap, EventLoopGroup group) {
        int count = Math.min(options.connections(), options.concurrency());
        List<ChannelFuture> connects = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            connects.add(
                    bootstrap.clone(group).handler(run.connectionInitializer()).connect());
        }
        List<Channel> up = new ArrayList<>(count);
        for (ChannelFuture f : connects) {
            if (f.awaitUninterruptibly().isSuccess()) {
                Channel ch = f.channel();
                H2cConnectionHandler h2c = ch.pipeline().get(H2cConnectionHandler.class);
                ch.eventLoop().execute(() -> {
                    try {
                        h2c.widenWindow();
                    } catch (Http2Exception e) {
                        ch.close();
                    }
                });
                up.add(ch);
            }
        }
        return up;
    }

    private static <T> T onLoop(EventExecutor loop, java.util.concurrent.Callable<T> task) throws InterruptedException {
        try {
            return loop.submit(task).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("load driver task failed", e.getCause());
        }
    }
}
