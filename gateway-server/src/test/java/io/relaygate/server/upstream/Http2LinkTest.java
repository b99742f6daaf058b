package io.relaygate.server.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.DefaultHttp2SettingsFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
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
}
