package io.relaygate.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http.HttpScheme;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
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
    private final Http2Headers h2Headers;
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
        Http2Headers h2 = new DefaultHttp2Headers()
                .method(HttpMethod.POST.asciiName())
                .path(path)
                .scheme(HttpScheme.HTTP.name())
                .authority(h.get(HttpHeaderNames.HOST));
        HttpConversionUtil.toHttp2Headers(h, h2);
        this.h2Headers = h2;
    }

    LoadOptions options() {
        return options;
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    /** h2c: the pipeline of one connection the slots' streams share ({@link H2cConnectionHandler}). */
    ChannelInitializer<Channel> connectionInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(H2cConnectionHandler.create(LoadRun.this));
            }
        };
    }

    /**
     * h2c: the request's headers (RFC 9113 section 8.3.1: the pseudo-headers, then the HTTP/1.1 headers less those
     * HTTP/2 forbids, Host becoming :authority), built once and shared read-only by every stream of the run.
     */
    Http2Headers http2Headers() {
        return h2Headers;
    }

    /** The request body; read-only, wrapped per request. */
    byte[] body() {
        return body;
    }

    /** The pipeline of a slot's HTTP/1.1 connection (h2c slots have none: {@link H2cConnectionHandler}). */
    ChannelInitializer<Channel> initializer(LoadSlot slot) {
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
