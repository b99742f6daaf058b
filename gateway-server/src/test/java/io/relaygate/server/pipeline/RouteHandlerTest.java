package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.relaygate.core.Route;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RouteHandlerTest {

    private static HttpRequest head(HttpMethod method, String uri, long contentLength) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        if (contentLength >= 0) {
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
        }
        return r;
    }

    @Test
    void knownRoutePassesOnWithRequestInfo() {
        EmbeddedChannel ch = new EmbeddedChannel(new RouteHandler(1024));
        HttpRequest r = head(HttpMethod.POST, "/api/v1/messages?beta=true", 10);
        assertThat(ch.writeInbound(r)).isTrue();
        assertThat((Object) ch.readInbound()).isSameAs(r);
        RequestInfo info = ch.attr(RequestInfo.KEY).get();
        assertThat(info.route).isEqualTo(Route.MESSAGES);
        assertThat(info.query()).isEqualTo("?beta=true");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void readinessSaysNoOnceADrainBeganWhileLivenessStaysYes() {
        Draining draining = new Draining();
        EmbeddedChannel ch = new EmbeddedChannel(
                new RouteHandler(1024, null, new java.util.concurrent.atomic.LongAdder(), draining));
        assertThat(statusOf(ch, "/readyz")).isEqualTo(200);
        draining.start();
        assertThat(statusOf(ch, "/readyz"))
                .as("nginx and orchestrators move new work elsewhere")
                .isEqualTo(503);
        assertThat(statusOf(ch, "/healthz"))
                .as("the process is alive and finishing its work")
                .isEqualTo(200);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static int statusOf(EmbeddedChannel ch, String path) {
        ch.writeInbound(head(HttpMethod.GET, path, -1));
        FullHttpResponse resp = ch.readOutbound();
        try {
            return resp.status().code();
        } finally {
            resp.release();
        }
    }

    @Test
    void unknownRouteIsAnswered404AndItsBodyDropped() {
        EmbeddedChannel ch = new EmbeddedChannel(new RouteHandler(1024));
        ch.writeInbound(
                head(HttpMethod.POST, "/v1/unknown", 3),
                new DefaultHttpContent(Unpooled.copiedBuffer("a", StandardCharsets.UTF_8)),
                new DefaultLastHttpContent(Unpooled.copiedBuffer("bc", StandardCharsets.UTF_8)));
        assertThat((Object) ch.readInbound())
                .as("nothing reaches the next handler")
                .isNull();
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertThat(resp.status().code()).isEqualTo(404);
            assertThat(resp.content().toString(StandardCharsets.UTF_8)).contains("not_found_error", "/v1/unknown");
        } finally {
            resp.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void declaredBodyOverLimitIs413AndCloses() {
        EmbeddedChannel ch = new EmbeddedChannel(new RouteHandler(1024));
        ch.writeInbound(head(HttpMethod.POST, "/v1/messages", 4096));
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertThat(resp.status().code()).isEqualTo(413);
            assertThat(resp.content().toString(StandardCharsets.UTF_8)).contains("request_too_large");
        } finally {
            ReferenceCountUtil.release(resp);
        }
        assertThat(ch.isOpen()).as("body not read: connection closes").isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void wrongMethodIs405AndHealthIsServed() {
        EmbeddedChannel ch = new EmbeddedChannel(new RouteHandler(1024));
        ch.writeInbound(head(HttpMethod.GET, "/v1/messages", -1));
        FullHttpResponse resp = ch.readOutbound();
        assertThat(resp.status().code()).isEqualTo(405);
        resp.release();
        ch.writeInbound(head(HttpMethod.GET, "/healthz", -1));
        FullHttpResponse ok = ch.readOutbound();
        assertThat(ok.status().code()).isEqualTo(200);
        ok.release();
        assertThat(ch.isOpen()).as("bodiless requests keep the connection").isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
