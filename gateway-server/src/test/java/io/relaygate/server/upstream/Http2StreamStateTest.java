package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class Http2StreamStateTest {

    /** What passes the handler as user events. */
    private static final class Events extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
        }
    }

    @Test
    void theCodecsStreamIdHeaderNeverReachesTheRelay() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamState());
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("x-http2-stream-id", "3").set("content-type", "text/event-stream");
        ch.writeInbound(head);
        HttpResponse out = ch.readInbound();
        assertThat(out.headers().names())
                .as("the head an HTTP/1.1 upstream would send")
                .containsExactly("content-type");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aGoAwayBelowTheStreamMarksItUnprocessedAndIsReleased() {
        Http2StreamState state = new Http2StreamState();
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
        Http2StreamState state = new Http2StreamState();
        Events events = new Events();
        EmbeddedChannel ch = new EmbeddedChannel(state, events);
        ch.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        assertThat(state.refused())
                .as("a cancel may come after processing began")
                .isFalse();
        ch.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
        assertThat(state.refused()).isTrue();
        assertThat(events.seen).as("resets go on to the relay's handlers").hasSize(2);
        assertThat(Http2StreamState.unprocessed(ch))
                .as("a channel that is no HTTP/2 stream is never unprocessed")
                .isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
