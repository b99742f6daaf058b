package io.relaygate.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseEventCounterTest {

    private static final String STREAM = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"text\":\"a\"}\n\n"
            + ": comment content_block_delta\n\n"
            + "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"text\":\"b\"}\r\n\r\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    @Test
    void countsMarkedEventsWhereverTheStreamIsSplit() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            SseEventCounter counter = new SseEventCounter("content_block_delta");
            int ended = counter.feed(Unpooled.wrappedBuffer(bytes, 0, split))
                    + counter.feed(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
            assertThat(counter.events())
                    .as("split at %d: two deltas and a comment that mentions one (a marked event too)", split)
                    .isEqualTo(3);
            assertThat(ended).isEqualTo(3);
        }
    }

    @Test
    void resetStartsTheNextResponseAtZero() {
        SseEventCounter counter = new SseEventCounter("content_block_delta");
        counter.feed(Unpooled.copiedBuffer("data: content_block_del", StandardCharsets.UTF_8));
        counter.reset();
        counter.feed(Unpooled.copiedBuffer("ta\n\ndata: x\n\n", StandardCharsets.UTF_8));
        assertThat(counter.events())
                .as("a half-seen marker does not carry over")
                .isZero();
    }

    @Test
    void feedingLeavesTheBufferUnread() {
        var buf = Unpooled.copiedBuffer("data: content_block_delta\n\n", StandardCharsets.UTF_8);
        new SseEventCounter("content_block_delta").feed(buf);
        assertThat(buf.readerIndex()).isZero();
        buf.release();
    }

    @Test
    void onlyTheReadableBytesOfASliceAreScanned() {
        var whole = Unpooled.copiedBuffer(
                "data: content_block_delta\n\ndata: content_block_delta\n\ndata: content_block_delta\n\n",
                StandardCharsets.UTF_8);
        var middle = whole.slice(27, 27);
        whole.readerIndex(27);
        SseEventCounter counter = new SseEventCounter("content_block_delta");
        assertThat(counter.feed(middle)).as("the second event alone").isEqualTo(1);
        assertThat(counter.feed(whole.slice(whole.readerIndex() + 5, 10))).isZero();
        whole.release();
    }
}
