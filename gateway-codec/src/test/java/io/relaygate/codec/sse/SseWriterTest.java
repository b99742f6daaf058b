package io.relaygate.codec.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.codec.sse.RecordingListener.Event;
import io.relaygate.core.WireFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseWriterTest {

    @Test
    void aNamedEventIsItsEventLineItsDataLineAndABlankLine() {
        assertThat(SseWriter.text(new SseEvent("message_stop", "{\"type\":\"message_stop\"}")))
                .as("the framing every captured stream shows")
                .isEqualTo("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    }

    @Test
    void anUnnamedEventHasNoEventLine() {
        assertThat(new String(SseWriter.bytes(SseEvent.data("[DONE]")), StandardCharsets.UTF_8))
                .as("Chat streams are data-only")
                .isEqualTo("data: [DONE]\n\n");
    }

    @Test
    void eachLineOfTheDataIsItsOwnDataLineAndParsesBackWhole() {
        byte[] bytes = SseWriter.bytes("note", "a\nb\nc");

        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("event: note\ndata: a\ndata: b\ndata: c\n\n");
        assertThat(parse(bytes))
                .as("a reader joins the data lines with LF, giving back the data")
                .containsExactly(new Event("note", "a\nb\nc"));
    }

    @Test
    void dataIsUtf8() {
        byte[] bytes = SseWriter.bytes(new SseEvent("x", "\"żółw 🐢\""));

        assertThat(parse(bytes)).containsExactly(new Event("x", "\"żółw 🐢\""));
    }

    @Test
    void beginAndEndFrameDataWrittenInBetween() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SseWriter.begin(out, "response.created");
        out.writeBytes("{}".getBytes(StandardCharsets.US_ASCII));
        SseWriter.end(out);
        SseWriter.begin(out, "");
        out.writeBytes("1".getBytes(StandardCharsets.US_ASCII));
        SseWriter.end(out);

        assertThat(out.toString(StandardCharsets.UTF_8))
                .as("the same framing as bytes(name, data)")
                .isEqualTo(SseWriter.text("response.created", "{}") + SseWriter.text("", "1"));
    }

    @Test
    void keepAlivesAreAnAnthropicPingOrAComment() {
        assertThat(new String(SseWriter.anthropicPing(), StandardCharsets.US_ASCII))
                .isEqualTo("event: ping\ndata: {\"type\": \"ping\"}\n\n");
        assertThat(new String(SseWriter.keepAlive(), StandardCharsets.US_ASCII)).isEqualTo(": keep-alive\n\n");
        assertThat(parse(SseWriter.keepAlive())).as("a comment is no event").isEmpty();

        ByteBuf anthropic = SseWriter.keepAliveBuffer(WireFormat.ANTHROPIC);
        ByteBuf chat = SseWriter.keepAliveBuffer(WireFormat.OPENAI_CHAT);
        try {
            assertThat(anthropic.toString(StandardCharsets.US_ASCII)).startsWith("event: ping\n");
            assertThat(chat.toString(StandardCharsets.US_ASCII)).isEqualTo(": keep-alive\n\n");
        } finally {
            anthropic.release();
            chat.release();
        }
    }

    @Test
    void theReturnedKeepAliveArraysAreTheCallersOwn() {
        SseWriter.keepAlive()[0] = 'x';

        assertThat(SseWriter.keepAlive()[0])
                .as("a caller's change does not leak into the next")
                .isEqualTo((byte) ':');
    }

    @Test
    void aLineBreakInANameOrCommentIsRefused() {
        assertThatThrownBy(() -> new SseEvent("a\nb", "")).hasMessageContaining("expected: no line break");
        assertThatThrownBy(() -> SseWriter.comment("a\rb")).hasMessageContaining("expected: no line break");
    }

    private static java.util.List<Event> parse(byte[] bytes) {
        RecordingListener listener = new RecordingListener();
        SseEventParser parser = new SseEventParser(1024, listener);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            parser.feed(buf);
        } finally {
            buf.release();
        }
        parser.finish();
        return listener.events;
    }
}
