package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.relaygate.core.Route;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestSkimHandlerTest {

    private static EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestSkimHandler());
        ch.attr(RequestInfo.KEY).set(new RequestInfo(Route.MESSAGES, "/v1/messages", System.nanoTime()));
        return ch;
    }

    private static FullHttpRequest request(String body) {
        return new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/v1/messages",
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    @Test
    void wellFormedBodyBecomesAProxyRequestWithTheBodyUntouched() {
        EmbeddedChannel ch = channel();
        String body =
                "{\"model\":\"claude-opus-4-1\",\"max_tokens\":64,\"stream\":true,\"metadata\":{\"user_id\":\"u\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        ch.writeInbound(request(body));
        ProxyRequest p = ch.readInbound();
        try {
            assertThat(p.skim.model()).isEqualTo("claude-opus-4-1");
            assertThat(p.skim.stream()).isTrue();
            assertThat(p.request.content().toString(StandardCharsets.UTF_8)).isEqualTo(body);
        } finally {
            p.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void badJsonIsAnswered400AndReleased() {
        EmbeddedChannel ch = channel();
        FullHttpRequest r = request("{\"model\":");
        ch.writeInbound(r);
        assertThat(r.refCnt()).as("released").isZero();
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertThat(resp.status().code()).isEqualTo(400);
            assertThat(resp.content().toString(StandardCharsets.UTF_8)).contains("invalid_request_error");
        } finally {
            resp.release();
        }
        assertThat(ch.isOpen()).as("whole body read: keep-alive").isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void missingModelIs400() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(request("{\"messages\":[]}"));
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertThat(resp.status().code()).isEqualTo(400);
            assertThat(resp.content().toString(StandardCharsets.UTF_8)).contains("model");
        } finally {
            resp.release();
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void messagesThatAreAStringAre400AndNothingIsPassedOn() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(request("{\"model\":\"m\",\"max_tokens\":8,\"messages\":\"hi\"}"));
        FullHttpResponse resp = ch.readOutbound();
        try {
            assertThat(resp.status().code()).isEqualTo(400);
            assertThat(resp.content().toString(StandardCharsets.UTF_8))
                    .contains("invalid_request_error")
                    .contains("messages: a string (expected: an array of message objects)");
        } finally {
            resp.release();
        }
        assertThat((Object) ch.readInbound()).as("never reaches ADMIT").isNull();
        assertThat(ch.isOpen()).as("whole body read: keep-alive").isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
