package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link DataFrames} between two HTTP/2 frame codecs: a frame it writes reaches the peer as the encoder's would, takes
 * the payload off the stream's and the connection's windows, and what a window does not cover is left to the encoder.
 */
class DataFramesTest {

    @Test
    void aFrameWithinTheWindowsGoesAsOneAndTakesThemDown() throws Exception {
        EmbeddedChannel server =
                new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build(), new ChannelInboundHandlerAdapter());
        EmbeddedChannel client = new EmbeddedChannel(
                Http2FrameCodecBuilder.forClient()
                        .initialSettings(Http2Settings.defaultSettings().initialWindowSize(200))
                        .build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        List<Http2DataFrame> received = new ArrayList<>();
        Http2StreamChannel child = new Http2StreamChannelBootstrap(client)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Http2DataFrame d) {
                            received.add(d);
                        } else {
                            io.netty.util.ReferenceCountUtil.release(msg);
                        }
                    }
                })
                .open()
                .syncUninterruptibly()
                .getNow();
        child.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                .method("POST")
                .path("/v1/messages")
                .scheme("http")
                .authority("mock")));
        exchange(client, server);
        int id = child.stream().id();
        ChannelHandlerContext ctx = server.pipeline().context(Http2FrameCodec.class);
        Http2FrameCodec codec = (Http2FrameCodec) ctx.handler();
        Http2Connection connection = codec.connection();
        Http2RemoteFlowController flow = connection.remote().flowController();
        Http2Stream stream = connection.stream(id);
        int connectionWindow = flow.windowSize(connection.connectionStream());
        assertThat(flow.windowSize(stream)).isEqualTo(200);

        ByteBuf first = Unpooled.copiedBuffer("x".repeat(120), StandardCharsets.US_ASCII);
        assertThat(DataFrames.write(ctx, codec, id, first)).isTrue();
        assertThat(first.refCnt()).as("released once copied").isZero();
        assertThat(flow.windowSize(stream)).isEqualTo(80);
        assertThat(flow.windowSize(connection.connectionStream())).isEqualTo(connectionWindow - 120);

        ByteBuf second = Unpooled.copiedBuffer("y".repeat(120), StandardCharsets.US_ASCII);
        assertThat(DataFrames.write(ctx, codec, id, second))
                .as("80 bytes of window left: the encoder's")
                .isFalse();
        assertThat(second.refCnt()).isEqualTo(1);
        codec.encoder().writeData(ctx, id, second, 0, false, ctx.voidPromise());
        server.flush();
        exchange(server, client);
        exchange(client, server);
        server.flush();
        exchange(server, client);

        StringBuilder body = new StringBuilder();
        for (Http2DataFrame d : received) {
            body.append(d.content().toString(StandardCharsets.US_ASCII));
            d.release();
        }
        assertThat(body.toString())
                .as("the direct frame, then the encoder's in the window the peer gave back")
                .isEqualTo("x".repeat(120) + "y".repeat(120));
        assertThat(client.isActive()).as("no flow-control error").isTrue();
        child.close();
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    /** Moves what {@code from} wrote into {@code to}, until neither has more to say. */
    private static void exchange(EmbeddedChannel from, EmbeddedChannel to) {
        for (int round = 0; round < 10; round++) {
            boolean moved = move(from, to) | move(to, from);
            if (!moved) {
                return;
            }
        }
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        boolean any = false;
        for (Object o = from.readOutbound(); o != null; o = from.readOutbound()) {
            to.writeInbound(o);
            any = true;
        }
        return any;
    }
}
