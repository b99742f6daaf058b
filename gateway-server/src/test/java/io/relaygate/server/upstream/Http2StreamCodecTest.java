package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http2StreamCodecTest {

    /** What passes the handler as user events. */
    private static final class Events extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
        }
    }

    private static EmbeddedChannel stream() {
        return new EmbeddedChannel(new Http2StreamCodec(Http2Messages.HTTPS, null));
    }

    @Test
    void theRequestBecomesOneHeadersAndOneDataFrameWithoutConnectionHeaders() {
        EmbeddedChannel ch = stream();
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/v1/messages?beta=true",
                Unpooled.copiedBuffer("{\"a\":1}", StandardCharsets.UTF_8));
        request.headers()
                .set("Host", "api.example.test")
                .set("Connection", "keep-alive, X-Hop")
                .set("X-Hop", "1")
                .set("Keep-Alive", "timeout=5")
                .set("TE", "gzip, trailers")
                .set("Content-Type", "application/json")
                .add("Anthropic-Beta", "a")
                .add("Anthropic-Beta", "b");
        ch.writeOutbound(request);

        Http2HeadersFrame headers = ch.readOutbound();
        assertThat(headers.isEndStream()).isFalse();
        Http2Headers h = headers.headers();
        assertThat(h.method()).hasToString("POST");
        assertThat(h.scheme()).hasToString("https");
        assertThat(h.path()).hasToString("/v1/messages?beta=true");
        assertThat(h.authority()).hasToString("api.example.test");
        assertThat(h.getAll("anthropic-beta")).map(CharSequence::toString).containsExactly("a", "b");
        assertThat(h.get("content-type")).hasToString("application/json");
        assertThat(h.get("te")).hasToString("trailers");
        assertThat(h.names())
                .map(CharSequence::toString)
                .as("hop-by-hop headers and those Connection lists stay out (RFC 9113 8.2.2)")
                .doesNotContain("host", "connection", "x-hop", "keep-alive", "Content-Type");
        Http2DataFrame data = ch.readOutbound();
        assertThat(data.isEndStream()).isTrue();
        assertThat(data.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        data.release();
        assertThat(request.refCnt()).as("the body moved into the DATA frame").isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aRequestWithoutBodyEndsTheStreamWithItsHeaders() {
        EmbeddedChannel ch = stream();
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/models");
        request.headers().set("Host", "api.example.test");
        ch.writeOutbound(request);
        Http2HeadersFrame headers = ch.readOutbound();
        assertThat(headers.isEndStream()).isTrue();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(request.refCnt()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theAnswerBecomesTheHeadAnHttp11UpstreamWouldSendThenItsContents() {
        EmbeddedChannel ch = stream();
        Http2Headers h = new DefaultHttp2Headers()
                .status("200")
                .add("content-type", "text/event-stream")
                .add("set-cookie", "a=1")
                .add("set-cookie", "b=2");
        ch.writeInbound(new DefaultHttp2HeadersFrame(h, false));
        HttpResponse head = ch.readInbound();
        assertThat(head).isNotInstanceOf(LastHttpContent.class);
        assertThat(head.status().code()).isEqualTo(200);
        assertThat(head.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(head.headers().names())
                .as("no pseudo-header, no x-http2-stream-id; no length: chunked, as before")
                .containsExactlyInAnyOrder("content-type", "set-cookie", "transfer-encoding");
        assertThat(head.headers().getAll("set-cookie")).containsExactly("a=1", "b=2");

        ByteBuf first = Unpooled.copiedBuffer("data: 1\n\n", StandardCharsets.UTF_8);
        ch.writeInbound(new DefaultHttp2DataFrame(first, false));
        HttpContent content = ch.readInbound();
        assertThat(content).isNotInstanceOf(LastHttpContent.class);
        assertThat(content.content()).as("the frame's buffer, as it is").isSameAs(first);
        content.release();
        ch.writeInbound(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("x", StandardCharsets.UTF_8), true));
        LastHttpContent last = ch.readInbound();
        assertThat(last.content().toString(StandardCharsets.UTF_8)).isEqualTo("x");
        last.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headersThatEndTheStreamAreAFullAnswerAndTrailersTheLastContent() {
        EmbeddedChannel ch = stream();
        ch.writeInbound(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().status("204").add("content-length", "0"), true));
        FullHttpResponse full = ch.readInbound();
        assertThat(full.status().code()).isEqualTo(204);
        assertThat(full.headers().contains("transfer-encoding")).isFalse();
        full.release();

        EmbeddedChannel other = stream();
        other.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
        other.readInbound();
        other.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("grpc-status", "0"), true));
        LastHttpContent trailers = other.readInbound();
        assertThat(trailers.trailingHeaders().get("grpc-status")).isEqualTo("0");
        assertThat(ch.finishAndReleaseAll()).isFalse();
        assertThat(other.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anUnreadableStatusIsAStreamError() {
        EmbeddedChannel ch = stream();
        assertThatThrownBy(() ->
                        ch.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("abc"), false)))
                .isInstanceOf(Http2Exception.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aLineBreakInAnAnswersHeaderValueIsRefused() {
        // The HPACK decoder checks names only; the head's values are checked here, before an HTTP/1.1 client sees them.
        EmbeddedChannel ch = stream();
        Http2Headers h = new DefaultHttp2Headers(false).status("200").add("x-note", "a\r\nx-injected: 1");
        assertThatThrownBy(() -> ch.writeInbound(new DefaultHttp2HeadersFrame(h, false)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCompressedAnswerGetsADecompressorAndAPlainOneDoesNot() {
        EmbeddedChannel plain = stream();
        plain.writeInbound(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
        plain.readInbound();
        assertThat(plain.pipeline().get(LazyDecompressor.DECOMPRESSOR)).isNull();

        EmbeddedChannel gz = stream();
        gz.writeInbound(new DefaultHttp2HeadersFrame(
                new DefaultHttp2Headers().status("200").add("content-encoding", "gzip"), false));
        HttpResponse head = gz.readInbound();
        assertThat(gz.pipeline().get(LazyDecompressor.DECOMPRESSOR)).isInstanceOf(HttpContentDecompressor.class);
        assertThat(head.headers().contains("content-encoding"))
                .as("the decompressor took the coding off")
                .isFalse();
        assertThat(plain.finishAndReleaseAll()).isFalse();
        assertThat(gz.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aGoAwayBelowTheStreamMarksItUnprocessedAndIsReleased() {
        Http2StreamCodec state = new Http2StreamCodec(Http2Messages.HTTP, null);
        Events events = new Events();
        EmbeddedChannel ch = new EmbeddedChannel(state, events);
        Http2GoAwayFrame goAway = new DefaultHttp2GoAwayFrame(
                Http2Error.NO_ERROR, Unpooled.copiedBuffer("bye", StandardCharsets.US_ASCII));
        ch.pipeline().fireUserEventTriggered(goAway);
        assertThat(state.refused()).isTrue();
        assertThat(goAway.refCnt())
                .as("the multiplexer's retained copy is released")
                .isZero();
        assertThat(events.seen).isEmpty();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void onlyARefusedStreamResetCountsAsUnprocessed() {
        Http2StreamCodec state = new Http2StreamCodec(Http2Messages.HTTP, null);
        Events events = new Events();
        EmbeddedChannel ch = new EmbeddedChannel(state, events);
        ch.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        assertThat(state.refused())
                .as("a cancel may come after processing began")
                .isFalse();
        ch.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
        assertThat(state.refused()).isTrue();
        assertThat(events.seen).as("resets go on to the relay's handlers").hasSize(2);
        assertThat(Http2StreamCodec.unprocessed(ch))
                .as("a channel that is no HTTP/2 stream is never unprocessed")
                .isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
