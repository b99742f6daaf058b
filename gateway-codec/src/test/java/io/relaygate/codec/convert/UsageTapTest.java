package io.relaygate.codec.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.relaygate.core.Route;
import io.relaygate.core.Usage;
import io.relaygate.core.WireFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UsageTapTest {

    private static final String ANTHROPIC_STREAM = "event: message_start\ndata: {\"type\":\"message_start\","
            + "\"message\":{\"model\":\"claude-x\",\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":30}}\n\n";

    @Test
    void anAnthropicStreamIsTappedWithoutTouchingTheBuffer() {
        UsageTap tap = UsageTap.of(Route.MESSAGES, WireFormat.ANTHROPIC, true);
        ByteBuf buf = Unpooled.copiedBuffer(ANTHROPIC_STREAM, StandardCharsets.UTF_8);
        try {
            int reader = buf.readerIndex();
            tap.feed(buf);
            assertThat(buf.readerIndex())
                    .as("the relay forwards the same bytes")
                    .isEqualTo(reader);
            assertThat(buf.refCnt()).isEqualTo(1);
        } finally {
            buf.release();
        }
        tap.finish();

        assertThat(tap.usage().inputTokens()).isEqualTo(12);
        assertThat(tap.usage().outputTokens()).isEqualTo(30);
        assertThat(tap.model()).isEqualTo("claude-x");
    }

    @Test
    void anOversizedEventStopsTheTapButNeverTheRelay() {
        UsageTap tap = UsageTap.of(Route.MESSAGES, WireFormat.ANTHROPIC, true);
        feed(tap, ANTHROPIC_STREAM);
        feed(tap, "data: " + "x".repeat(UsageTap.MAX_EVENT_BYTES + 1));
        feed(tap, "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":99}}\n\n");
        tap.finish();

        assertThat(tap.usage().outputTokens())
                .as("what was seen before the oversized event")
                .isEqualTo(30);
    }

    @Test
    void aWholeResponsesBodyIsReadAsResponsesUsage() {
        UsageTap tap = UsageTap.of(Route.RESPONSES, WireFormat.OPENAI_RESPONSES, false);
        feed(
                tap,
                "{\"usage\":{\"input_tokens\":10,\"input_tokens_details\":{\"cached_tokens\":4},\"output_tokens\":2}}");
        tap.finish();

        assertThat(tap.usage()).as("cached tokens are cache reads, not input").isEqualTo(new Usage(6, 2, 0, 4));
    }

    @Test
    void aConvertedRouteHasNoTapOfItsOwnAndASuppliedTapAsksItsSupplier() {
        UsageTap none = UsageTap.of(Route.MESSAGES, WireFormat.OPENAI_CHAT, true);
        feed(none, ANTHROPIC_STREAM);
        assertThat(none.usage()).isEqualTo(Usage.ZERO);

        Usage u = new Usage(1, 2, 3, 4);
        assertThat(UsageTap.of(() -> u).usage()).isSameAs(u);
    }

    private static void feed(UsageTap tap, String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        try {
            tap.feed(buf);
        } finally {
            buf.release();
        }
    }
}
