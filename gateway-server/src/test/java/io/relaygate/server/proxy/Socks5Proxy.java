package io.relaygate.server.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.socksx.SocksMessage;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;

/** A SOCKS5 proxy that requires username/password authentication (RFC 1928, RFC 1929). */
public final class Socks5Proxy extends TestProxy {

    public Socks5Proxy(String user, String password) {
        super(user, password);
    }

    @Override
    void handshake(SocketChannel ch) {
        ch.pipeline()
                .addLast("decoder", new Socks5InitialRequestDecoder())
                .addLast("encoder", Socks5ServerEncoder.DEFAULT)
                .addLast("socks", new Handshake());
    }

    private final class Handshake extends SimpleChannelInboundHandler<SocksMessage> {
        private String presentedUser = "";
        private String presentedPassword = "";

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, SocksMessage msg) {
            if (msg instanceof Socks5InitialRequest) {
                ctx.pipeline().replace("decoder", "decoder", new Socks5PasswordAuthRequestDecoder());
                ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.PASSWORD));
            } else if (msg instanceof Socks5PasswordAuthRequest) {
                Socks5PasswordAuthRequest auth = (Socks5PasswordAuthRequest) msg;
                presentedUser = auth.username();
                presentedPassword = auth.password();
                boolean ok = user.equals(presentedUser) && password.equals(presentedPassword);
                if (!ok) {
                    ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE))
                            .addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                ctx.pipeline().replace("decoder", "decoder", new Socks5CommandRequestDecoder());
                ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
            } else if (msg instanceof Socks5CommandRequest) {
                Socks5CommandRequest cmd = (Socks5CommandRequest) msg;
                tunnels.add(new Tunnel(
                        cmd.dstAddr(),
                        cmd.dstPort(),
                        presentedUser,
                        presentedPassword,
                        cmd.dstAddrType() == Socks5AddressType.DOMAIN));
                ctx.channel().config().setAutoRead(false);
                open(ctx.channel(), cmd.dstAddr(), cmd.dstPort(), target -> {
                    if (target == null) {
                        ctx.writeAndFlush(new DefaultSocks5CommandResponse(
                                        Socks5CommandStatus.HOST_UNREACHABLE, cmd.dstAddrType()))
                                .addListener(ChannelFutureListener.CLOSE);
                        return;
                    }
                    ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS, cmd.dstAddrType()))
                            .addListener(f -> {
                                ctx.pipeline().remove("decoder");
                                ctx.pipeline().remove("encoder");
                                ctx.pipeline().remove(this);
                                pipe(ctx.channel(), target);
                            });
                });
            }
        }
    }
}
