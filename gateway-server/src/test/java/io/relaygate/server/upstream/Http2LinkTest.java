package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class Http2LinkTest {

    private final List<Http2Link> changes = new ArrayList<>();

    private EmbeddedChannel linked(Http2Link link) {
        return new EmbeddedChannel(link);
    }

    @Test
    void theServersFirstSettingsMakeTheLinkReadyAndRaiseTheConnectionWindow() {
        Http2Link link = new Http2Link(changes::add, 10_000, 50_000);
        EmbeddedChannel ch = linked(link);
        assertThat(link.ready().isDone()).isFalse();
        assertThat(link.accepts())
                .as("no stream before the server's limit is known")
                .isFalse();

        ch.writeInbound(new DefaultHttp2SettingsFrame(new Http2Settings().maxConcurrentStreams(2)));
        assertThat(link.ready().isSuccess()).isTrue();
        assertThat(link.accepts()).isTrue();
        Http2WindowUpdateFrame update = ch.readOutbound();
        assertThat(update.stream())
                .as("the connection's window, not a stream's")
                .isNull();
        assertThat(update.windowSizeIncrement())
                .isEqualTo(Http2Link.CONNECTION_WINDOW_BYTES - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
        assertThat(changes).containsExactly(link);

        ch.writeInbound(new DefaultHttp2SettingsFrame(new Http2Settings().maxConcurrentStreams(0)));
        assertThat(link.accepts()).as("a server may lower its limit later").isFalse();
        assertThat((Object) ch.readOutbound()).as("the window is raised once").isNull();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void goAwayStopsNewStreamsAndClosesAConnectionWithoutStreams() {
        Http2Link link = new Http2Link(changes::add, 10_000, 50_000);
        EmbeddedChannel ch = linked(link);
        ch.writeInbound(new DefaultHttp2SettingsFrame(new Http2Settings()));
        ch.readOutbound();
        assertThat(link.accepts()).isTrue();
        Http2GoAwayFrame goAway = new DefaultHttp2GoAwayFrame(
                Http2Error.NO_ERROR, Unpooled.copiedBuffer("bye", StandardCharsets.US_ASCII));
        ch.writeInbound(goAway);
        assertThat(goAway.refCnt()).as("the frame is released").isZero();
        assertThat(link.gone()).isTrue();
        assertThat(link.accepts()).isFalse();
        assertThat(ch.isOpen()).as("no stream was running: closed at once").isFalse();
        assertThat(changes).last().isSameAs(link);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionClosedBeforeTheSettingsFailsTheWaitAndOtherFramesAreReleased() {
        Http2Link link = new Http2Link(changes::add, 10_000, 50_000);
        EmbeddedChannel ch = linked(link);
        ch.writeInbound(new DefaultHttp2PingFrame(7));
        assertThat(link.ready().isDone()).isFalse();
        ch.close();
        assertThat(link.ready().isSuccess()).isFalse();
        assertThat(link.ready().cause()).isNotNull();
        assertThat(link.gone()).isTrue();
        assertThat(changes).containsExactly(link);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void noSettingsWithinTheTimeoutClosesTheConnection() {
        Http2Link link = new Http2Link(changes::add, 5_000, 50_000);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(link);
        ch.advanceTimeBy(4_999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(link.ready().isSuccess()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aQuietConnectionIsPingedKeptWhenItAnswersAndClosedWhenItDoesNot() {
        Http2Link link = new Http2Link(changes::add, new Http2Link.Timings(10_000, 50_000, 15_000, 5_000));
        EmbeddedChannel ch = readyOnFrozenTime(link);
        advance(ch, 14_999);
        assertThat((Object) ch.readOutbound()).as("not quiet long enough").isNull();
        advance(ch, 1);
        Http2PingFrame ping = ch.readOutbound();
        assertThat(ping.ack()).isFalse();

        ch.writeInbound(new DefaultHttp2PingFrame(ping.content(), true));
        advance(ch, 5_000);
        assertThat(ch.isOpen()).as("answered: alive").isTrue();
        assertThat(link.foundDead()).isFalse();
        assertThat(link.accepts()).isTrue();
        advance(ch, 9_999);
        assertThat((Object) ch.readOutbound())
                .as("quiet since the answer for less than the interval")
                .isNull();
        advance(ch, 1);
        Http2PingFrame again = ch.readOutbound();
        assertThat(again.ack()).isFalse();

        advance(ch, 4_999);
        assertThat(ch.isOpen()).isTrue();
        advance(ch, 1);
        assertThat(ch.isOpen()).as("no answer within the timeout: dead, closed").isFalse();
        assertThat(link.gone()).isTrue();
        assertThat(link.foundDead())
                .as("its streams without an answer may be sent again")
                .isTrue();
        assertThat(changes).last().isSameAs(link);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionThatKeepsSendingIsNeverPinged() {
        Http2Link link = new Http2Link(changes::add, new Http2Link.Timings(10_000, 50_000, 15_000, 5_000));
        EmbeddedChannel ch = readyOnFrozenTime(link);
        for (int i = 0; i < 10; i++) {
            advance(ch, 10_000);
            ch.writeInbound(new DefaultHttp2SettingsFrame(new Http2Settings()));
        }
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void streamsThatWroteInOneTurnShareOneFlushOfTheConnection() {
        Http2Link link = new Http2Link(changes::add, 10_000, 50_000);
        int[] flushes = {0};
        EmbeddedChannel connection = new EmbeddedChannel(
                new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void flush(ChannelHandlerContext ctx) {
                        flushes[0]++;
                        ctx.flush();
                    }
                },
                link);
        EmbeddedChannel first = new EmbeddedChannel(new Http2StreamCodec(Http2Messages.HTTP, link));
        EmbeddedChannel second = new EmbeddedChannel(new Http2StreamCodec(Http2Messages.HTTP, link));
        for (EmbeddedChannel stream : List.of(first, second)) {
            FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/v1/models");
            r.headers().set("Host", "api.example.test");
            stream.writeAndFlush(r);
            assertThat((Object) stream.readOutbound())
                    .as("the stream's flush waits for the connection's")
                    .isNull();
        }
        assertThat(flushes[0]).isZero();
        connection.runPendingTasks();
        assertThat(flushes[0]).as("one flush for both").isEqualTo(1);
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
        assertThat(connection.finishAndReleaseAll()).isFalse();
    }

    /** A channel with {@code link}, its time frozen, past the server's first SETTINGS and the window update. */
    private static EmbeddedChannel readyOnFrozenTime(Http2Link link) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(link);
        ch.writeInbound(new DefaultHttp2SettingsFrame(new Http2Settings()));
        ch.readOutbound();
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }
}
