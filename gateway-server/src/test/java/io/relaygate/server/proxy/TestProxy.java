package io.relaygate.server.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A proxy of the tests' own on an ephemeral loopback port: subclasses speak the handshake (SOCKS5, HTTP CONNECT),
 * record what the client asked for and with which credentials, open the connection to the destination themselves
 * (so a hostname is resolved here, at the proxy) and then pipe bytes both ways.
 */
public abstract class TestProxy implements AutoCloseable {

    /** One CONNECT the proxy served. */
    public record Tunnel(String host, int port, String user, String password, boolean domain) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    final List<Tunnel> tunnels = new CopyOnWriteArrayList<>();
    /** Every connection in and out, closed by {@link #close()} as the kernel closes a dead process's sockets. */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    final String user;
    final String password;

    TestProxy(String user, String password) {
        this.user = user;
        this.password = password;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        handshake(ch);
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly()
                .channel();
    }

    /** Adds the handshake handlers to a new client connection. */
    abstract void handshake(SocketChannel ch);

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The tunnels opened so far. */
    public List<Tunnel> tunnels() {
        return List.copyOf(tunnels);
    }

    /**
     * Connects to {@code host:port} from the client's event loop, then hands the new channel to {@code connected}
     * (or null when the destination is unreachable).
     */
    void open(Channel client, String host, int port, Consumer<Channel> connected) {
        new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(host, port)
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        connections.add(f.channel());
                    }
                    connected.accept(f.isSuccess() ? f.channel() : null);
                });
    }

    /** Pipes {@code a} and {@code b} into each other; each side's close closes the other. */
    static void pipe(Channel a, Channel b) {
        a.pipeline().addLast(new Pipe(b));
        b.pipeline().addLast(new Pipe(a));
        a.config().setAutoRead(true);
        b.config().setAutoRead(true);
    }

    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel to;

        Pipe(Channel to) {
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            to.writeAndFlush(msg).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (to.isActive()) {
                to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
