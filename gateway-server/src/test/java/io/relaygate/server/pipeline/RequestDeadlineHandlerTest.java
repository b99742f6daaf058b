package io.relaygate.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.relaygate.core.WireFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestDeadlineHandlerTest {

    private static EmbeddedChannel channel() {
        RequestDeadlineHandler deadline = new RequestDeadlineHandler(Duration.ofSeconds(3), Duration.ofSeconds(5));
        return new EmbeddedChannel(deadline.start(), new HttpServerCodec(), deadline);
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        Object o;
        while ((o = ch.readOutbound()) != null) {
            if (o instanceof ByteBuf) {
                out.append(((ByteBuf) o).toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(o);
        }
        return out.toString();
    }

    /** Moves the channel's clock on by {@code seconds} and runs the timers due by then. */
    private static void elapse(EmbeddedChannel ch, int seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    private static int passedOn(EmbeddedChannel ch) {
        int n = 0;
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof HttpRequest || o instanceof HttpContent) {
                n++;
            }
            ReferenceCountUtil.release(o);
        }
        return n;
    }

    @Test
    void aHeadStillArrivingAtItsDeadlineGetsA408AndNothingMoreGoesOn() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /v1/mes");
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        send(ch, "sages HTTP/1.1\r\nhost: g");
        assertThat(written(ch)).as("a byte inside the deadline changes nothing").isEmpty();
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(written(ch))
                .startsWith("HTTP/1.1 408")
                .contains("connection: close")
                .contains("\"type\":\"error\"")
                .contains("request head not received within 3s");
        assertThat(passedOn(ch)).as("no part of the request went on").isZero();
        assertThat(ch.isOpen())
                .as("closed (an embedded channel cannot half-close, so the lingering close is at once)")
                .isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void aBodyPastItsDeadlineGetsA408InTheRoutesFormat() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /openai/v1/chat/completions HTTP/1.1\r\nhost: gw\r\ncontent-length: 10\r\n\r\n{\"m");
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        String answer = written(ch);
        assertThat(answer).startsWith("HTTP/1.1 408").contains("request body not received within 5s");
        assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4))
                .as("OpenAI's shape: no top-level type")
                .startsWith("{\"error\":");
        assertThat(passedOn(ch))
                .as("the head and the first bytes went on before the deadline")
                .isEqualTo(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void requestsThatArriveInTimeAreLeftAloneAndTheNextHeadHasAClockOfItsOwn() {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 3; i++) {
            send(ch, "GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n");
            ch.advanceTimeBy(10, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
        }
        assertThat(written(ch)).as("no deadline runs between requests").isEmpty();
        assertThat(passedOn(ch)).as("three heads and their ends").isEqualTo(6);
        send(ch, "GET /hea");
        ch.advanceTimeBy(3, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(written(ch)).startsWith("HTTP/1.1 408");
        ch.finishAndReleaseAll();
    }

    @Test
    void aTimerLeftRunningByAnEarlierRequestGivesTheNextHeadItsWholeDeadline() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n");
        elapse(ch, 2);
        send(ch, "GET /hea");
        elapse(ch, 2);
        assertThat(written(ch))
                .as("the first request's timer fired 1 s into the second head's 3 s")
                .isEmpty();
        elapse(ch, 1);
        assertThat(written(ch)).startsWith("HTTP/1.1 408").contains("request head not received within 3s");
        assertThat(passedOn(ch)).as("the first request and its end").isEqualTo(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void aBodyHasItsOwnLongerDeadlineThoughTheHeadsTimerFiresFirst() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /v1/messages HTTP/1.1\r\nhost: gw\r\ncontent-length: 10\r\n\r\n{\"m");
        elapse(ch, 4);
        assertThat(written(ch)).as("past the head's 3 s, inside the body's 5 s").isEmpty();
        elapse(ch, 1);
        assertThat(written(ch)).startsWith("HTTP/1.1 408").contains("request body not received within 5s");
        assertThat(passedOn(ch)).isEqualTo(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void theFormatFollowsTheRoute() {
        assertThat(RequestDeadlineHandler.formatOf("/v1/messages?beta=true")).isEqualTo(WireFormat.ANTHROPIC);
        assertThat(RequestDeadlineHandler.formatOf("/v1/chat/completions")).isEqualTo(WireFormat.OPENAI_CHAT);
        assertThat(RequestDeadlineHandler.formatOf("/openai/v1/responses")).isEqualTo(WireFormat.OPENAI_RESPONSES);
        assertThat(RequestDeadlineHandler.formatOf("/v1/responses?x=/chat/completions"))
                .as("the query is not the path")
                .isEqualTo(WireFormat.OPENAI_RESPONSES);
        assertThat(RequestDeadlineHandler.formatOf("/responses")).isEqualTo(WireFormat.OPENAI_RESPONSES);
        assertThat(RequestDeadlineHandler.formatOf("?")).isEqualTo(WireFormat.ANTHROPIC);
    }

    @Test
    void theHeadersLastContentIsNotMistakenForABody() {
        EmbeddedChannel ch = channel();
        send(ch, "GET /healthz HTTP/1.1\r\nhost: gw\r\n\r\n");
        Object o;
        boolean sawLast = false;
        while ((o = ch.readInbound()) != null) {
            sawLast |= o instanceof LastHttpContent;
            ReferenceCountUtil.release(o);
        }
        assertThat(sawLast).isTrue();
        ch.advanceTimeBy(60, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(written(ch)).isEmpty();
        ch.finishAndReleaseAll();
    }
}
