package io.relaygate.bench.mock;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventEncodingTest {

    @Test
    void anEncodedEventIsByteForByteItsSseText() {
        List<AnthropicScript.Event> events = List.of(
                new AnthropicScript.Event("content_block_delta", "{\"text\":\"héllo \\u2028 ✓\"}", true),
                new AnthropicScript.Event("", "{\"choices\":[]}", true),
                new AnthropicScript.Event("ping", "line one\nline two", false));
        for (AnthropicScript.Event e : events) {
            ByteBuf buf = e.encode(PooledByteBufAllocator.DEFAULT);
            try {
                assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(e.sse());
            } finally {
                buf.release();
            }
        }
    }
}
