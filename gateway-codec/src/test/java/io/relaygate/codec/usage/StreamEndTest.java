package io.relaygate.codec.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.SseEventParser;
import io.relaygate.core.WireFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How each format's stream ends: its final event, its own error event, or neither (truncated). */
class StreamEndTest {

    private static StreamEnd feed(WireFormat format, String sse) {
        StreamEnd end = StreamEnd.of(format);
        SseEventParser parser = new SseEventParser(64 * 1024, end);
        ByteBuf buf = Unpooled.wrappedBuffer(sse.getBytes(StandardCharsets.UTF_8));
        try {
            parser.feed(buf);
            parser.finish();
        } finally {
            buf.release();
        }
        return end;
    }

    @Test
    void anthropicEndsWithMessageStopOrAnErrorEvent() {
        String start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
                + "{\"input_tokens\":7,\"output_tokens\":1}}}\n\n";
        StreamEnd whole =
                feed(WireFormat.ANTHROPIC, start + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
        assertThat(whole.ended()).isTrue();
        assertThat(whole.error()).isNull();

        StreamEnd failed = feed(
                WireFormat.ANTHROPIC,
                start + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\n");
        assertThat(failed.ended()).isTrue();
        assertThat(failed.error()).isEqualTo("overloaded_error");

        StreamEnd unreadable = feed(WireFormat.ANTHROPIC, start + "event: error\ndata: {not json\n\n");
        assertThat(unreadable.error())
                .as("an error event ends the stream even when unreadable")
                .isEqualTo("api_error");

        StreamEnd cut = feed(WireFormat.ANTHROPIC, start + "event: content_block_delta\ndata: {\"type\":\"content_blo");
        assertThat(cut.ended()).as("no message_stop: truncated").isFalse();
        assertThat(cut.error()).isNull();
    }

    @Test
    void chatEndsWithDoneOrAnErrorChunk() {
        String chunk = "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                + "\"say \\\"error\\\": {x}\"}}]}\n\n";
        StreamEnd done = feed(WireFormat.OPENAI_CHAT, chunk + "data: [DONE]\n\n");
        assertThat(done.ended()).isTrue();
        assertThat(done.error())
                .as("the word error inside content is no error chunk")
                .isNull();

        StreamEnd failed = feed(
                WireFormat.OPENAI_CHAT,
                chunk + "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}\n\n");
        assertThat(failed.ended()).isTrue();
        assertThat(failed.error()).isEqualTo("server_error");

        StreamEnd cut = feed(WireFormat.OPENAI_CHAT, chunk);
        assertThat(cut.ended()).as("no [DONE]: truncated").isFalse();
    }

    @Test
    void responsesEndsWithCompletedIncompleteFailedOrError() {
        String created =
                "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"model\":\"m\"}}\n\n";
        assertThat(feed(
                                WireFormat.OPENAI_RESPONSES,
                                created + "event: response.completed\ndata: "
                                        + "{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\"}}\n\n")
                        .error())
                .isNull();
        StreamEnd incomplete = feed(
                WireFormat.OPENAI_RESPONSES,
                created + "event: response.incomplete\ndata: "
                        + "{\"type\":\"response.incomplete\",\"response\":{\"status\":\"incomplete\"}}\n\n");
        assertThat(incomplete.ended()).isTrue();
        assertThat(incomplete.error())
                .as("an answer the model's limits cut short is still an answer")
                .isNull();
        StreamEnd failed = feed(
                WireFormat.OPENAI_RESPONSES,
                created + "event: response.failed\ndata: "
                        + "{\"type\":\"response.failed\",\"response\":{\"status\":\"failed\",\"error\":{\"code\":"
                        + "\"server_error\"},\"usage\":{\"input_tokens\":12,\"output_tokens\":3}}}\n\n");
        assertThat(failed.ended()).isTrue();
        assertThat(failed.error()).isEqualTo("server_error");
        assertThat(((ResponsesStreamUsage) failed).usage().outputTokens())
                .as("the failed response's usage is kept")
                .isEqualTo(3);
        StreamEnd cut = feed(WireFormat.OPENAI_RESPONSES, created);
        assertThat(cut.ended()).isFalse();
    }
}
