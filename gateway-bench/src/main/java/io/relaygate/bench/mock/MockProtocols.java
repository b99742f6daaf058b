package io.relaygate.bench.mock;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.UniformStreamByteDistributor;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The mock's protocols on one accepted connection: HTTP/1.1; with {@link MockOptions#http2()} also HTTP/2, chosen by
 * ALPN over TLS ({@code h2}, else {@code http/1.1}) or, on plain TCP, by the client opening with the HTTP/2 connection
 * preface (h2c with prior knowledge, RFC 9113 section 3.3). On HTTP/2 every stream is a child channel whose pipeline
 * turns frames into the same HTTP/1.1 objects the HTTP/1.1 mode reads and writes, so both modes answer with one
 * {@link MockHandler}: same formats, pacing, faults and recording.
 */
final class MockProtocols {

    static final String HTTP_1_1 = "http/1.1";
    static final String H2 = "h2";
    static final String H2C = "h2c";

    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;
    /** The gateway forwards clients' headers: well above Netty's 8 KiB default header list. */
    private static final int MAX_HEADER_LIST_BYTES = 64 * 1024;

    private static final AttributeKey<String> PROTOCOL = AttributeKey.valueOf("relaygate.mock.protocol");

    private MockProtocols() {}

    /** Sets up a newly accepted connection. */
    static void init(Channel ch, MockUpstream mock, @Nullable MockTls tls) {
        boolean http2 = mock.options().http2();
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            p.addLast(tls.serverContext(http2).newHandler(ch.alloc()));
            if (http2) {
                p.addLast(new AlpnChooser(mock));
                return;
            }
        } else if (http2) {
            p.addLast(new PrefaceSniffer(mock));
            return;
        }
        http1(p, mock);
    }

    /** The protocol {@code ch} (a connection or one of its HTTP/2 streams) speaks. */
    static String protocolOf(Channel ch) {
        String p = connectionOf(ch).attr(PROTOCOL).get();
        return p == null ? HTTP_1_1 : p;
    }

    /** An id of the TCP connection {@code ch} (a connection or one of its HTTP/2 streams) belongs to. */
    static String connectionId(Channel ch) {
        return connectionOf(ch).id().asShortText();
    }

    private static Channel connectionOf(Channel ch) {
        Channel parent = ch.parent();
        return ch instanceof Http2StreamChannel && parent != null ? parent : ch;
    }

    private static void http1(ChannelPipeline p, MockUpstream mock) {
        p.channel().attr(PROTOCOL).set(HTTP_1_1);
        p.addLast(new HttpServerCodec())
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                .addLast(new CloudMockHandler(mock))
                .addLast(new MockHandler(mock));
    }

    private static void http2(ChannelPipeline p, MockUpstream mock, String protocol) {
        p.channel().attr(PROTOCOL).set(protocol);
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(mock.options().maxConcurrentStreams())
                .maxHeaderListSize(MAX_HEADER_LIST_BYTES);
        Http2FrameCodec codec =
                Http2FrameCodecBuilder.forServer().initialSettings(settings).build();
        // Uniform, not the default weighted-fair distributor: the mock's streams have no priorities, and the
        // weighted-fair one's per-write bookkeeping was a fifth of the h2c harness's mock CPU (docs/benchmarks.md).
        Http2Connection connection = codec.connection();
        connection
                .remote()
                .flowController(
                        new DefaultHttp2RemoteFlowController(connection, new UniformStreamByteDistributor(connection)));
        p.addLast(codec);
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline()
                        .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast(new HttpObjectAggregator(MAX_BODY_BYTES))
                        .addLast(new CloudMockHandler(mock))
                        .addLast(new MockHandler(mock));
            }
        }));
        p.addLast(new PingAcks(mock));
        ConnectionFlush.install(p.channel(), mock::eventsWritten);
        mock.http2Opened(p.channel());
    }

    /**
     * Sends a graceful {@code GOAWAY} on {@code connection}, then a {@code PING}; completes when the client acknowledged
     * the ping, so it has read the {@code GOAWAY} (frames are read in order) and a test can go on without a race.
     */
    static CompletableFuture<Void> goAway(Channel connection) {
        PingAcks acks = connection.pipeline().get(PingAcks.class);
        CompletableFuture<Void> acked = new CompletableFuture<>();
        if (acks == null) {
            acked.complete(null);
            return acked;
        }
        connection.eventLoop().execute(() -> {
            long id = ++acks.sent;
            acks.waiting.put(id, acked);
            connection.write(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
            connection.writeAndFlush(new DefaultHttp2PingFrame(id)).addListener(f -> {
                if (!f.isSuccess()) {
                    acked.completeExceptionally(f.cause());
                }
            });
        });
        return acked;
    }

    /**
     * Completes {@link #goAway(Channel)}'s futures as the client acknowledges its pings, and counts the client's own
     * pings (the frame codec answers them).
     */
    private static final class PingAcks extends ChannelInboundHandlerAdapter {
        private final Map<Long, CompletableFuture<Void>> waiting = new HashMap<>();
        private final MockUpstream mock;
        private long sent;

        PingAcks(MockUpstream mock) {
            this.mock = mock;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2PingFrame && !((Http2PingFrame) msg).ack()) {
                mock.pingReceived();
            } else if (msg instanceof Http2PingFrame) {
                CompletableFuture<Void> f = waiting.remove(((Http2PingFrame) msg).content());
                if (f != null) {
                    f.complete(null);
                }
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            waiting.values().forEach(f -> f.complete(null));
            waiting.clear();
            ctx.fireChannelInactive();
        }
    }

    /** After the TLS handshake: {@code h2} if the client chose it, else HTTP/1.1 (also when it offered no ALPN). */
    private static final class AlpnChooser extends ApplicationProtocolNegotiationHandler {
        private final MockUpstream mock;

        AlpnChooser(MockUpstream mock) {
            super(ApplicationProtocolNames.HTTP_1_1);
            this.mock = mock;
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                http2(ctx.pipeline(), mock, H2);
            } else {
                http1(ctx.pipeline(), mock);
            }
        }
    }

    /**
     * On plain TCP: reads until the first bytes either are the HTTP/2 connection preface or cannot be, then sets up
     * that protocol and steps aside; what it read goes on to the new handlers.
     */
    private static final class PrefaceSniffer extends ByteToMessageDecoder {
        private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        private final MockUpstream mock;

        PrefaceSniffer(MockUpstream mock) {
            this.mock = mock;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.length);
            boolean prefix = true;
            for (int i = 0; i < n && prefix; i++) {
                prefix = in.getByte(in.readerIndex() + i) == PREFACE[i];
            }
            if (prefix && n < PREFACE.length) {
                return; // could still be either
            }
            if (prefix) {
                http2(ctx.pipeline(), mock, H2C);
            } else {
                http1(ctx.pipeline(), mock);
            }
            ctx.pipeline().remove(this);
        }
    }
}
