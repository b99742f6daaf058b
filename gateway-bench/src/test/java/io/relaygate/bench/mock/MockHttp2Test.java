package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mock over HTTP/2: h2 chosen by ALPN over TLS (and HTTP/1.1 when the client does not offer it), h2c with prior
 * knowledge on plain TCP next to HTTP/1.1, streams of one connection recorded with that connection, and the faults
 * as HTTP/2 shows them (a reset is that stream's RST_STREAM, a close-delimited end an END_STREAM).
 */
class MockHttp2Test {

    private static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";

    private static MockUpstream tls;
    private static MockUpstream plain;
    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        tls = MockUpstream.start(MockOptions.defaults().withTls(true).withHttp2(true));
        plain = MockUpstream.start(MockOptions.defaults().withHttp2(true));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        tls.close();
        plain.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static HttpRequest post(String url, String prompt) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("content-type", "application/json")
                .header("x-api-key", "sk-test")
                .POST(HttpRequest.BodyPublishers.ofString(String.format(STREAM, prompt)))
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void alpnChoosesH2AndTheStreamsOfOneConnectionAreRecordedWithIt() throws Exception {
        tls.reset();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(tls.clientSslContext())
                .build();
        HttpResponse<String> first =
                http.send(post(tls.baseUrl() + "/v1/messages", "hi"), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second =
                http.send(post(tls.baseUrl() + "/v1/messages", "again"), HttpResponse.BodyHandlers.ofString());
        assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("event: message_stop");
        assertThat(second.body()).contains("event: message_stop");
        List<RecordedExchange> seen = tls.exchanges();
        assertThat(seen).extracting(RecordedExchange::protocol).containsExactly("h2", "h2");
        assertThat(seen.get(0).connection())
                .as("the client multiplexed both requests on one connection")
                .isEqualTo(seen.get(1).connection());
        assertThat(tls.awaitCompleted(1, Duration.ofSeconds(5)).completed()).isTrue();
    }

    @Test
    void aClientWithoutH2GetsHttp11FromTheSameTlsPort() throws Exception {
        tls.reset();
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(tls.clientSslContext())
                .build();
        HttpResponse<String> r =
                http.send(post(tls.baseUrl() + "/v1/messages", "hi"), HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.body()).contains("event: message_stop");
        assertThat(tls.exchanges()).extracting(RecordedExchange::protocol).containsExactly("http/1.1");
    }

    @Test
    void plainTcpServesHttp11AndH2cWithPriorKnowledge() throws Exception {
        plain.reset();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> h1 =
                http.send(post(plain.baseUrl() + "/v1/messages", "hi"), HttpResponse.BodyHandlers.ofString());
        assertThat(h1.body()).contains("event: message_stop");

        Channel connection = h2c(plain.port());
        try {
            List<CompletableFuture<FullHttpResponse>> answers = List.of(
                    stream(connection, "hi"), stream(connection, "mock:reset-mid-stream"), stream(connection, "again"));
            FullHttpResponse ok = answers.get(0).get(10, TimeUnit.SECONDS);
            try {
                assertThat(ok.status().code()).isEqualTo(200);
                assertThat(ok.content().toString(StandardCharsets.UTF_8)).contains("event: message_stop");
            } finally {
                ok.release();
            }
            assertThat(answers.get(1)).as("the reset ends that stream only").failsWithin(Duration.ofSeconds(10));
            FullHttpResponse other = answers.get(2).get(10, TimeUnit.SECONDS);
            try {
                assertThat(other.content().toString(StandardCharsets.UTF_8)).contains("event: message_stop");
            } finally {
                other.release();
            }
        } finally {
            connection.close().syncUninterruptibly();
        }
        List<RecordedExchange> seen = plain.exchanges();
        assertThat(seen)
                .extracting(RecordedExchange::protocol)
                .containsExactlyInAnyOrder("http/1.1", "h2c", "h2c", "h2c");
        assertThat(seen.stream()
                        .filter(e -> e.protocol().equals("h2c"))
                        .map(RecordedExchange::connection)
                        .distinct())
                .hasSize(1);
        assertThat(plain.cancelledStreams()).isEqualTo(1);
    }

    @Test
    void eventsWrittenAsDataFramesAreCountedAsOnHttp11() throws Exception {
        // On h2c the events skip the stream's pipeline and carry no promise: the connection's flush counts them.
        plain.reset();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String h1 = http.send(post(plain.baseUrl() + "/v1/messages", "count me"), HttpResponse.BodyHandlers.ofString())
                .body();
        String h1Usage = settledUsage();
        plain.reset();
        Channel connection = h2c(plain.port());
        String h2;
        try {
            FullHttpResponse r = stream(connection, "count me").get(10, TimeUnit.SECONDS);
            try {
                h2 = r.content().toString(StandardCharsets.UTF_8);
            } finally {
                r.release();
            }
        } finally {
            connection.close().syncUninterruptibly();
        }
        int events = SseEvents.parse(h2).size();
        assertThat(events)
                .as("the same script on both")
                .isEqualTo(SseEvents.parse(h1).size());
        assertThat(settledUsage())
                .as("events and declared tokens counted once each, as on HTTP/1.1")
                .isEqualTo(h1Usage)
                .contains("\"events\":" + events + "}");
    }

    @Test
    void aSmallStreamWindowSplitsNoEventOutOfOrder() throws Exception {
        // Events go as ready-made DATA frames while the stream's window covers them and through the codec's flow
        // controller when it does not: with a window smaller than most events both ways mix within one answer.
        String wide = body(h2c(plain.port(), Http2Settings.defaultSettings()), "window");
        String narrow = body(h2c(plain.port(), Http2Settings.defaultSettings().initialWindowSize(150)), "window");
        // The answers differ only in the message id of message_start.
        List<SseEvents.Ev> a = SseEvents.parse(wide);
        List<SseEvents.Ev> b = SseEvents.parse(narrow);
        assertThat(b).hasSizeGreaterThan(5);
        assertThat(b.subList(1, b.size()))
                .as("the same events in the same order")
                .isEqualTo(a.subList(1, a.size()));
        assertThat(narrow.length()).isEqualTo(wide.length());
    }

    /** A paced answer's body (5 ms between events: the stream's window comes back in between). */
    private static String body(Channel connection, String prompt) throws Exception {
        try {
            FullHttpResponse r = stream(connection, prompt, 5).get(10, TimeUnit.SECONDS);
            try {
                return r.content().toString(StandardCharsets.UTF_8);
            } finally {
                r.release();
            }
        } finally {
            connection.close().syncUninterruptibly();
        }
    }

    /** The mock's usage once its counters stopped moving (a flush is counted right after the bytes left). */
    private static String settledUsage() throws InterruptedException {
        String last = plain.declaredUsage();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(20);
            String now = plain.declaredUsage();
            if (now.equals(last) && now.contains("\"requests\":1,")) {
                return now;
            }
            last = now;
        }
        return last;
    }

    @Test
    void aCloseDelimitedEndIsAnEndStreamBeforeTheFinalEventOnH2c() throws Exception {
        plain.reset();
        Channel connection = h2c(plain.port());
        try {
            FullHttpResponse r = stream(connection, "mock:truncate-close").get(10, TimeUnit.SECONDS);
            try {
                String body = r.content().toString(StandardCharsets.UTF_8);
                assertThat(body).contains("content_block_delta").doesNotContain("message_stop");
            } finally {
                r.release();
            }
            assertThat(connection.isActive()).as("the connection stays").isTrue();
        } finally {
            connection.close().syncUninterruptibly();
        }
    }

    private static Channel h2c(int port) throws InterruptedException {
        return h2c(port, Http2Settings.defaultSettings());
    }

    private static Channel h2c(int port, Http2Settings settings) throws InterruptedException {
        return new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        .initialSettings(settings)
                                        .build())
                                .addLast(new Http2MultiplexHandler(new SimpleChannelInboundHandler<Object>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {}
                                }));
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
    }

    private static CompletableFuture<FullHttpResponse> stream(Channel connection, String prompt) {
        return stream(connection, prompt, -1);
    }

    /** {@code intervalMs} >= 0: asks for that pause between events. */
    private static CompletableFuture<FullHttpResponse> stream(Channel connection, String prompt, int intervalMs) {
        CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
        Http2StreamChannel ch = new Http2StreamChannelBootstrap(connection)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel c) {
                        c.pipeline()
                                .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                                .addLast(new HttpObjectAggregator(1024 * 1024))
                                .addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
                                        answer.complete(msg.retain());
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        answer.completeExceptionally(new IllegalStateException("stream closed"));
                                    }
                                });
                    }
                })
                .open()
                .syncUninterruptibly()
                .getNow();
        byte[] body = String.format(STREAM, prompt).getBytes(StandardCharsets.UTF_8);
        FullHttpRequest req = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/messages", Unpooled.wrappedBuffer(body));
        req.headers()
                .set(HttpHeaderNames.HOST, "127.0.0.1")
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set("x-api-key", "sk-test");
        if (intervalMs >= 0) {
            req.headers().setInt("x-mock-event-interval-ms", intervalMs);
        }
        ch.writeAndFlush(req);
        return answer;
    }
}
