package io.relaygate.server.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** An HTTP proxy that serves CONNECT only, with Basic proxy authentication. */
public final class HttpConnectProxy extends TestProxy {

    public HttpConnectProxy(String user, String password) {
        super(user, password);
    }

    @Override
    void handshake(SocketChannel ch) {
        ch.pipeline()
                .addLast("codec", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(8192))
                .addLast("connect", new Connect());
    }

    private final class Connect extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!HttpMethod.CONNECT.equals(request.method())) {
                answer(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, true);
                return;
            }
            String auth = request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION, "");
            String presented = auth.startsWith("Basic ")
                    ? new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8)
                    : "";
            int colon = presented.indexOf(':');
            String u = colon < 0 ? presented : presented.substring(0, colon);
            String p = colon < 0 ? "" : presented.substring(colon + 1);
            String target = request.uri();
            int sep = target.lastIndexOf(':');
            String host = target.substring(0, sep);
            int port = Integer.parseInt(target.substring(sep + 1));
            tunnels.add(new Tunnel(host, port, u, p, !Character.isDigit(host.charAt(0))));
            if (!user.equals(u) || !password.equals(p)) {
                answer(ctx, HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED, true);
                return;
            }
            ctx.channel().config().setAutoRead(false);
            open(ctx.channel(), host, port, upstream -> {
                if (upstream == null) {
                    answer(ctx, HttpResponseStatus.BAD_GATEWAY, true);
                    return;
                }
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK))
                        .addListener(f -> {
                            ctx.pipeline().remove("codec");
                            ctx.pipeline().remove("aggregator");
                            ctx.pipeline().remove(this);
                            pipe(ctx.channel(), upstream);
                        });
            });
        }

        private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, boolean close) {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.writeAndFlush(r)
                    .addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
