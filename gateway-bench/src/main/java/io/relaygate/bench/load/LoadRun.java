package io.relaygate.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the slots of one run share: the options, the request, the window (nanoTime) and the count of open streams.
 * The window is set once before the slots begin; the counters are atomics because slots run on several loops.
 */
final class LoadRun {

    /**
     * h2c: each stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE), above a whole stream of the harness (200
     * events of ~200 bytes), so the mock never waits for a stream's WINDOW_UPDATE.
     */
    private static final int H2C_STREAM_WINDOW_BYTES = 1 << 20;
    /**
     * h2c: what the connection's receive window grows by at the start (RFC 9113 section 6.9.2: it starts at 65,535
     * bytes whatever the settings say); the frame codec then tops it up as the streams read.
     */
    private static final int H2C_CONNECTION_WINDOW_INCREMENT = 16 << 20;

    /** The default body: a small Anthropic Messages request. */
    static String defaultBody(boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello in one short sentence.\"}]}";
    }

    private final LoadOptions options;
    private final Bootstrap bootstrap;
    private final String path;
    private final byte[] body;
    private final HttpHeaders headers;
    private final AtomicInteger openStreams = new AtomicInteger();
    private final AtomicInteger peakStreams = new AtomicInteger();
    private final CountDownLatch slotsDone;
    private long measureStart;
    private long end;
    private long periodNanos;

    LoadRun(LoadOptions options, Bootstrap bootstrap, int slots) {
        this.options = options;
        this.bootstrap = bootstrap;
        this.slotsDone = new CountDownLatch(slots);
        URI t = options.target();
        String p = t.getRawPath() == null || t.getRawPath().isEmpty() ? "/" : t.getRawPath();
        this.path = t.getRawQuery() == null ? p : p + "?" + t.getRawQuery();
        byte[] b = options.body();
        this.body = b != null ? b : defaultBody(options.stream()).getBytes(StandardCharsets.UTF_8);
        HttpHeaders h = new DefaultHttpHeaders();
        h.set(HttpHeaderNames.HOST, t.getHost() + (t.getPort() > 0 ? ":" + t.getPort() : ""));
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.set(HttpHeaderNames.ACCEPT, options.stream() ? "text/event-stream" : "application/json");
        h.set("anthropic-version", "2023-06-01");
        if (options.stream() && options.events() > 0) {
            h.set("x-mock-events", options.events());
            h.set("x-mock-event-interval-ms", options.intervalMillis());
        }
        if (options.ttftMillis() >= 0) {
            h.set("x-mock-ttft-ms", options.ttftMillis());
        }
        for (Map.Entry<String, String> e : options.headers()) {
            h.set(e.getKey(), e.getValue());
        }
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        this.headers = h;
    }

    LoadOptions options() {
        return options;
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    /** h2c: the pipeline of one connection the streams share; its streams are opened by the slots. */
    ChannelInitializer<Channel> connectionInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                Http2Settings settings = Http2Settings.defaultSettings().initialWindowSize(H2C_STREAM_WINDOW_BYTES);
                ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient()
                                .initialSettings(settings)
                                .build())
                        .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel pushed) {
                                // The mock pushes nothing; a stream it opened would be closed unread.
                                pushed.close();
                            }
                        }));
            }
        };
    }

    /** h2c: after {@code connection} is up, widens its receive window ({@link #H2C_CONNECTION_WINDOW_INCREMENT}). */
    static void widenWindow(Channel connection) {
        connection
                .writeAndFlush(new DefaultHttp2WindowUpdateFrame(H2C_CONNECTION_WINDOW_INCREMENT))
                .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /**
     * The pipeline of a slot's channel: an HTTP/1.1 connection, or with h2c one HTTP/2 stream, whose answer's frames
     * {@link H2cStreamHandler} reads as they are (the codec behind it only encodes the request).
     */
    ChannelInitializer<Channel> initializer(LoadSlot slot) {
        if (options.h2c()) {
            return new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline()
                            .addLast(new H2cStreamHandler(slot))
                            .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                            .addLast(new LoadClientHandler(slot));
                }
            };
        }
        long slowRead = options.slowReadBytesPerSec();
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (slowRead > 0) {
                    int piece = (int) Math.max(64, Math.min(1024, slowRead));
                    ch.config().setOption(ChannelOption.AUTO_READ, false);
                    ch.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(piece).maxMessagesPerRead(1));
                    ch.pipeline().addLast(new ThrottledReadHandler(slowRead));
                }
                ch.pipeline().addLast(new HttpClientCodec()).addLast(new LoadClientHandler(slot));
            }
        };
    }

    /** A new request; the body is wrapped, not copied, and the headers are shared read-only. */
    FullHttpRequest newRequest() {
        return new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                path,
                Unpooled.wrappedBuffer(body),
                headers,
                EmptyHttpHeaders.INSTANCE);
    }

    void window(long measureStartNanos, long endNanos, long period) {
        this.measureStart = measureStartNanos;
        this.end = endNanos;
        this.periodNanos = period;
    }

    long measureStart() {
        return measureStart;
    }

    long end() {
        return end;
    }

    long periodNanos() {
        return periodNanos;
    }

    void streamOpened() {
        int n = openStreams.incrementAndGet();
        peakStreams.accumulateAndGet(n, Math::max);
    }

    void streamClosed() {
        openStreams.decrementAndGet();
    }

    int peakStreams() {
        return peakStreams.get();
    }

    void slotDone() {
        slotsDone.countDown();
    }

    CountDownLatch slotsDone() {
        return slotsDone;
    }
}
